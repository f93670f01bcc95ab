from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from sqlmodel import Session

from api.attendees.models import Attendee
from api.auth.callers import CurrentAttendee
from api.contacts import service
from api.contacts.schemas import (
    ConnectCodePublic,
    ConnectScan,
    ContactPublic,
    ContactRequestCreate,
    ContactRequests,
    ContactUpdate,
    NetworkingReturn,
    SentRequest,
    Sharing,
    SharingChoice,
)
from api.contacts.vcard import (
    CSV_MEDIA_TYPE,
    VCARD_MEDIA_TYPE,
    ExportExtension,
    card_qr_svg,
    content_disposition,
    render_csv,
    render_vcards,
)
from api.core import ratelimit
from api.core.deps import SessionDep, SettingsDep
from api.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, TooManyRequests, responses
from api.core.idempotency import RunOnce
from api.core.schemas import OneLine, Page, PageParams, PathId, page_params

router = APIRouter(prefix="/api", tags=["contacts"], responses=responses(NotAuthenticated))
# Contact requests and connect-QR scans share one budget: both reach out to someone.
CONNECT_RATE = ratelimit.limited("connect", per_attendee="connect_rate_per_attendee", per_ip="connect_rate_per_ip")


@router.get("/me/sharing")
def get_my_sharing(attendee: CurrentAttendee, session: SessionDep) -> Sharing:
    """Which of my private details an exchange shares (nothing is readable before an exchange). Until I choose,
    only my name."""
    return service.sharing_view(session, attendee.id)


@router.put("/me/sharing", responses=responses(InvalidInput))
def set_my_sharing(data: SharingChoice, attendee: CurrentAttendee, session: SessionDep) -> Sharing:
    service.set_sharing(session, attendee, data)
    return service.sharing_view(session, attendee.id)


@router.post(
    "/contact-requests",
    status_code=status.HTTP_201_CREATED,
    response_model=SentRequest,
    responses=responses(NotFound, Conflict, InvalidInput, TooManyRequests),
    dependencies=[CONNECT_RATE],
)
def send_contact_request(
    data: ContactRequestCreate,
    attendee: CurrentAttendee,
    session: SessionDep,
    settings: SettingsDep,
    once: RunOnce,
) -> Response:
    """Ask someone (usually a suggestion) to exchange contacts. Asking twice changes nothing: one request of
    mine at most waits for them. Refused (429) while too many requests from others wait for them."""
    return once(data, lambda: service.send_request(session, settings, attendee, data))


@router.get("/contact-requests")
def list_contact_requests(attendee: CurrentAttendee, session: SessionDep) -> ContactRequests:
    """Requests waiting for my answer, and mine still waiting (a decline is never shown)."""
    return service.list_requests(session, attendee)


@router.post(
    "/contact-requests/{request_id}/accept",
    response_model=ContactPublic,
    responses=responses(NotFound, Conflict, InvalidInput),
)
def accept_contact_request(
    request_id: PathId, attendee: CurrentAttendee, session: SessionDep, once: RunOnce
) -> Response:
    return once({"request_id": request_id}, lambda: service.accept_request(session, attendee, request_id))


@router.post(
    "/contact-requests/{request_id}/decline",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(NotFound, InvalidInput),
)
def decline_contact_request(
    request_id: PathId, attendee: CurrentAttendee, session: SessionDep, once: RunOnce
) -> Response:
    """Silent: the sender keeps seeing a request that waits."""
    return once({"request_id": request_id}, lambda: service.decline_request(session, attendee, request_id))


@router.post(
    "/contact-requests/{request_id}/decline-and-block",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(NotFound, InvalidInput),
)
def decline_and_block_contact_request(
    request_id: PathId, attendee: CurrentAttendee, session: SessionDep, once: RunOnce
) -> Response:
    """Decline and block the sender: neither of us sees the other any more, and they cannot ask again. They
    are not told."""
    return once({"request_id": request_id}, lambda: service.decline_and_block(session, attendee, request_id))


@router.post("/me/connect-code")
def rotate_my_connect_code(attendee: CurrentAttendee, session: SessionDep, settings: SettingsDep) -> ConnectCodePublic:
    """A fresh personal connect code for my QR (valid 3 minutes); the previous one stops working."""
    return service.connect_code(session, settings, attendee)


@router.post(
    "/contacts/scan",
    status_code=status.HTTP_201_CREATED,
    response_model=ContactPublic,
    responses=responses(service.UnknownConnectCode, InvalidInput, TooManyRequests),
    dependencies=[CONNECT_RATE],
)
def scan_connect_code(data: ConnectScan, attendee: CurrentAttendee, session: SessionDep, once: RunOnce) -> Response:
    """I scanned someone's connect QR: we are contacts now, both ways."""
    return once(data, lambda: service.scan(session, attendee, data.code))


@router.get("/contacts")
def list_my_contacts(
    attendee: CurrentAttendee,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    tag: Annotated[str | None, Query(max_length=40), OneLine] = None,
    follow_up: bool | None = None,
) -> Page[ContactPublic]:
    rows = service.my_contacts(session, attendee, tag=tag, follow_up=follow_up)
    items = service.publics(session, attendee, rows[page.offset : page.offset + page.limit])
    return Page(items=items, total=len(rows), limit=page.limit, offset=page.offset)


def _disposition(session: Session, attendee: Attendee, tag: str | None, form: str, ext: ExportExtension) -> str:
    return content_disposition(service.export_label(session, attendee, tag, form), ext)


ExportVersion = Annotated[Literal["3.0", "4.0"], Query(description="vCard 3.0 imports everywhere; 4.0 on request")]


@router.get("/contacts/export.vcf", response_class=Response, responses={200: {"content": {VCARD_MEDIA_TYPE: {}}}})
def export_my_contacts_vcard(
    attendee: CurrentAttendee,
    session: SessionDep,
    version: ExportVersion = "3.0",
    tag: Annotated[str | None, Query(max_length=40), OneLine] = None,
) -> Response:
    """All my contacts (or those with a tag) as one .vcf file, with their photos (PHOTO) where a card shows one."""
    contacts = service.my_contacts(session, attendee, tag=tag)
    photos = service.contact_photos(session, attendee, contacts)
    cards = [service.card_of(c, attendee.language, photos) for c in contacts]
    return Response(
        render_vcards(cards, version),
        media_type=VCARD_MEDIA_TYPE,
        headers={"Content-Disposition": _disposition(session, attendee, tag, version, "vcf")},
    )


@router.get("/contacts/export.csv", response_class=Response, responses={200: {"content": {CSV_MEDIA_TYPE: {}}}})
def export_my_contacts_csv(
    attendee: CurrentAttendee,
    session: SessionDep,
    flavour: Annotated[Literal["google", "outlook"], Query()] = "google",
    tag: Annotated[str | None, Query(max_length=40), OneLine] = None,
) -> Response:
    """My contacts with the column names Google Contacts (or Outlook) imports. No photo: a CSV cell holds text,
    and a link to one would need this app's sign-in."""
    cards = [service.card_of(c, attendee.language) for c in service.my_contacts(session, attendee, tag=tag)]
    return Response(
        render_csv(cards, flavour),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": _disposition(session, attendee, tag, flavour, "csv")},
    )


@router.get("/contacts/{contact_id}", responses=responses(NotFound))
def get_my_contact(contact_id: PathId, attendee: CurrentAttendee, session: SessionDep) -> ContactPublic:
    return service.public(session, attendee, service.get_contact(session, attendee, contact_id))


@router.get(
    "/contacts/{contact_id}/vcard",
    response_class=Response,
    responses={200: {"content": {VCARD_MEDIA_TYPE: {}}}, **responses(NotFound)},
)
def export_my_contact_vcard(
    contact_id: PathId, attendee: CurrentAttendee, session: SessionDep, version: ExportVersion = "3.0"
) -> Response:
    contact = service.get_contact(session, attendee, contact_id)
    photos = service.contact_photos(session, attendee, [contact])
    return Response(
        render_vcards([service.card_of(contact, attendee.language, photos)], version),
        media_type=VCARD_MEDIA_TYPE,
        headers={"Content-Disposition": content_disposition(contact.name, "vcf")},
    )


@router.patch("/contacts/{contact_id}", responses=responses(NotFound, InvalidInput))
def update_my_contact(
    contact_id: PathId, data: ContactUpdate, attendee: CurrentAttendee, session: SessionDep
) -> ContactPublic:
    """My private note, tags and follow-up mark. The other side never sees them."""
    contact = service.get_contact(session, attendee, contact_id)
    return service.public(session, attendee, service.update_contact(session, contact, data))


@router.delete("/contacts/{contact_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(NotFound))
def remove_my_contact(contact_id: PathId, attendee: CurrentAttendee, session: SessionDep) -> None:
    """Removes it from my list only."""
    service.remove_contact(session, service.get_contact(session, attendee, contact_id))


@router.get("/me/networking")
def get_my_networking_return(attendee: CurrentAttendee, session: SessionDep) -> NetworkingReturn:
    """Contacts made at this event, and what each cost given the ticket price."""
    return service.networking_return(session, attendee)


@router.get("/me/card-qr.svg", response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}})
def get_my_card_qr(attendee: CurrentAttendee, session: SessionDep) -> Response:
    """A QR of my shared details that any phone camera opens as a contact (for people without the app)."""
    return Response(
        card_qr_svg(service.own_card(session, attendee)),
        media_type="image/svg+xml",
        # Rendered by the browser when opened: nothing in it may run or load.
        headers={"Cache-Control": "no-store", "Content-Security-Policy": "default-src 'none'"},
    )
