from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.auth.callers import CurrentAttendee
from api.core.deps import SessionDep
from api.core.errors import NotAuthenticated, responses
from api.personal_data import service

router = APIRouter(prefix="/api/me", tags=["personal data"], responses=responses(NotAuthenticated))


@router.get("/export", response_model=dict)
def export_my_data(attendee: CurrentAttendee, session: SessionDep) -> JSONResponse:
    """Everything held about me (profile and photo, interests, check-ins, contacts and notes, requests, blocks,
    push devices, nudges), as a JSON file to download."""
    return JSONResponse(
        service.export(session, attendee),
        headers={"Content-Disposition": 'attachment; filename="couloir-my-data.json"', "Cache-Control": "no-store"},
    )
