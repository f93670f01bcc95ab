from fastapi import APIRouter
from pydantic import BaseModel

from api.auth.callers import CurrentOrganizer
from api.core.errors import NotAuthenticated, responses

router = APIRouter(prefix="/api/organizers", tags=["organizers"], responses=responses(NotAuthenticated))


class OrganizerPublic(BaseModel):
    id: int
    email: str


@router.get("/me")
def get_my_organizer_account(organizer: CurrentOrganizer) -> OrganizerPublic:
    return OrganizerPublic(id=organizer.id, email=organizer.email)
