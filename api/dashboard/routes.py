"""The organizers' live picture of their event. Organizers of the event only; aggregates only."""

from fastapi import APIRouter, Response

from api.contacts.vcard import CSV_MEDIA_TYPE, content_disposition
from api.core.deps import SessionDep, SettingsDep
from api.core.errors import NotAuthenticated, NotFound, responses
from api.dashboard import service
from api.dashboard.schemas import Dashboard
from api.events.access import OrganizerEvent

router = APIRouter(prefix="/api/events/{event_id}", tags=["dashboard"], responses=responses(NotAuthenticated, NotFound))
# Live figures: never kept by a shared cache, nor served stale by the browser's.
_NO_STORE = {"Cache-Control": "private, no-store"}


@router.get("/dashboard")
def get_dashboard(event: OrganizerEvent, session: SessionDep, settings: SettingsDep, response: Response) -> Dashboard:
    """Occupancy now and over the day, topics, contacts, nudges, huddles and KPIs. Counts below 3 read
    "fewer than 3"; nothing is given per person."""
    response.headers.update(_NO_STORE)
    return service.dashboard(session, settings, event)


@router.get("/dashboard.csv", response_class=Response, responses={200: {"content": {CSV_MEDIA_TYPE: {}}}})
def export_dashboard_csv(event: OrganizerEvent, session: SessionDep, settings: SettingsDep) -> Response:
    """The KPIs and per-zone figures as CSV (figure, zone, value), masked as on screen."""
    picture = service.dashboard(session, settings, event)
    return Response(
        service.dashboard_csv(picture),
        media_type=CSV_MEDIA_TYPE,
        headers={
            "Content-Disposition": content_disposition(f"{event.name} {picture.day}", "csv", prefix="couloir-dashboard")
        }
        | _NO_STORE,
    )
