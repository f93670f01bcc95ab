"""The organizer's set-up: programme and attendee imports, zone posters. Organizers of the event only."""

import csv
import io
import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, BackgroundTasks, Depends, Header, Request, Response

from api.core.deps import EngineDep, SessionDep, SettingsDep
from api.core.errors import Conflict, NotAuthenticated, NotFound, PayloadTooLarge, responses
from api.core.schemas import PathId
from api.event_setup import posters, service
from api.event_setup.parsers import (
    InvalidImportFile,
    UnsupportedFileType,
    Upload,
    parse_programme,
    parse_tickets,
    read_upload,
)
from api.event_setup.schemas import AttendeeImportSummary, PosterSize, ProgrammeImportSummary
from api.events.access import OrganizerEvent
from api.events.service import get_zone, list_zones

router = APIRouter(prefix="/api/events/{event_id}", tags=["organizer"], responses=responses(NotAuthenticated, NotFound))
# The routes whose bodies are files, allowed past the general body cap (Settings.max_import_bytes).
IMPORT_PATHS = re.compile(r"/api/events/[0-9]+/(programme|attendees)/import")
POSTER_VERSION = "Poster-Version"
_IMPORT_ERRORS = responses(InvalidImportFile, UnsupportedFileType, PayloadTooLarge)
# Posters hold zone tokens: never kept by a shared cache. Strict CSP: names are escaped, and even so
# nothing in these documents may run.
_POSTER_HEADERS = {
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}


async def _upload(request: Request) -> Upload:
    # The body is within the import cap (api.core.limits, IMPORT_PATHS): a form's file part is a slice of it.
    return read_upload(await request.body(), request.headers.get("content-type", ""))


FileBody = Annotated[Upload, Depends(_upload)]


def _file_body(description: str, types: dict[str, str]) -> dict[str, Any]:
    """The request body for the OpenAPI schema: FastAPI cannot infer a raw file body. The file may also come as
    the first file part of a form, or as application/octet-stream."""
    content: dict[str, dict[str, Any]] = {
        media: {"schema": {"type": "object" if media == "application/json" else "string", "description": about}}
        for media, about in types.items()
    }
    content["application/octet-stream"] = {"schema": {"type": "string", "format": "binary"}}
    content["multipart/form-data"] = {
        "schema": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
            "description": "The first part that is a file, whatever its field's name",
        }
    }
    return {"requestBody": {"required": True, "description": description, "content": content}}


@router.post(
    "/programme/import",
    responses=_IMPORT_ERRORS | responses(Conflict),
    openapi_extra=_file_body(
        "The schedule file",
        {
            "application/json": "pretalx/frab schedule JSON",
            "application/xml": "pretalx/frab schedule XML",
            "text/xml": "pretalx/frab schedule XML",
            "text/csv": "id,title,abstract,room,start,end,speakers,topics[,type]",
        },
    ),
)
def import_programme(upload: FileBody, event: OrganizerEvent, session: SessionDep) -> ProgrammeImportSummary:
    """Import the programme from a conference tool's file; the Content-Type tells the format.

    - `application/json`: the pretalx/frab schedule JSON (`schedule.conference.days[].rooms{room: [talks]}`,
      each talk with `guid` or `id`, `title`, `abstract`, `date`, `start`, `duration` "HH:MM", `room`,
      `persons[].public_name` (and `email`), `track`, `type`).
    - `application/xml` or `text/xml`: the pretalx/frab schedule XML (`<schedule><day><room><event>`, same fields).
    - `text/csv` (`,` `;` or tab, UTF-8): columns `id,title,abstract,room,start,end,speakers,topics` and an
      optional `type` (`talk` or `break`). `id`, `title`, `start` and `end` are required. Times are
      `YYYY-MM-DD HH:MM`; several speakers or topics in one cell are separated by `;` or `|`, a speaker
      may be `Name <email>`. `tracks` or `tags` may name the topics column.

    `multipart/form-data` (`curl -F file=@schedule.json`): the form's first file part, whatever its field's name,
    its format told by its Content-Type, else its file name's extension (`.json`, `.xml`, `.csv`), else its
    first character (`{` JSON, `<` XML, otherwise CSV); `application/octet-stream` the same way. A charset other
    than a text encoding (UTF-8, UTF-16, Latin-1, Windows-1252…) is refused (415). Times fall between 2000
    and 2099.

    Times without an offset are in the event's time zone. Tracks and topics map onto the event's
    topics by name or synonym (any case or accents); missing ones are created. Speakers are the
    event's attendees with the same email, else exactly the same name; others are added as attendees
    with the speaker role and no email. Entries of type "break" become the agenda's breaks; a file
    without breaks leaves them alone.

    Re-importing updates: talks by their id in the file, breaks by their slot. Nothing is deleted.
    A bad file is refused whole (422, each problem with where it is and which field) and changes nothing.
    """
    programme = parse_programme(upload, ZoneInfo(event.timezone))
    return service.import_programme(session, event, programme)


@router.post(
    "/attendees/import",
    response_model=AttendeeImportSummary,
    responses=_IMPORT_ERRORS | responses(Conflict) | {200: {"content": {"text/csv": {}}}},
    openapi_extra=_file_body("The ticketing export", {"text/csv": "name, email, company (header variants)"}),
)
def import_attendees(
    upload: FileBody,
    event: OrganizerEvent,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    send: bool = False,
    accept: Annotated[str, Header()] = "application/json",
) -> AttendeeImportSummary | Response:
    """Import attendees from a ticketing export (pretix's, or any CSV with a name column).

    Columns, found by their usual headers in English or French (a UTF-8 BOM and `,` `;` or tab are fine):
    the name (`Attendee name`, `Name`, `Nom`… or given and family names), the email (`Attendee email`,
    `Email`, `E-mail`…; optional) and the company (`Company`, `Organisation`, `Société`…; optional).

    With a status column (pretix's `Status`), only paid orders are imported: pending, expired and cancelled
    ones are skipped, each with its status, and get no link. The file may also be the first file part of a
    form (`curl -F file=@tickets.csv`), or `application/octet-stream`; its charset a text encoding (415 otherwise).

    Each new attendee gets a personal join link, single use, valid until the event ends. With
    `send=true` the links are emailed after this response; otherwise (and for those without email)
    they are returned to print on badges. Send `Accept: text/csv` to get them as a CSV of
    `name,email,join_url` for a badge tool. Someone already in the event is skipped and gets no new link.
    A bad row refuses the whole file (422 naming the line) and imports nothing.
    """
    tickets = parse_tickets(upload)
    summary, letters = service.import_attendees(session, settings, event, tickets, send=send)
    if letters:
        background.add_task(service.send_invitations, engine, settings, event, letters)
    if "text/csv" in accept:
        return Response(_badges_csv(summary), media_type="text/csv; charset=utf-8")
    return summary


def _badges_csv(summary: AttendeeImportSummary) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["name", "email", "join_url"])
    for invitation in summary.invitations:
        writer.writerow([_inert(invitation.display_name), invitation.email or "", invitation.join_url])
    return out.getvalue()


def _inert(value: str) -> str:
    """A name from a ticketing export opened in a spreadsheet must not run as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# Posters ----------------------------------------------------------------------------------------


@router.get(
    "/zones/{zone_id}/poster.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The printable poster, A4"}},
)
def get_zone_poster_svg(zone_id: PathId, event: OrganizerEvent, session: SessionDep, settings: SettingsDep) -> Response:
    """The zone's poster. Its `Poster-Version` header (also printed on it) changes when the zone's token is
    rotated: a printed poster of another version no longer checks anyone in."""
    zone = get_zone(session, event_id=event.id, zone_id=zone_id)
    return _poster_response(
        posters.poster_svg(event, zone, settings.public_base_url),
        "image/svg+xml",
        posters.poster_version([zone]),
        posters.file_name(zone, "svg"),
    )


@router.get(
    "/zones/{zone_id}/poster.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The zone's QR code alone"}},
)
def get_zone_poster_png(zone_id: PathId, event: OrganizerEvent, session: SessionDep, settings: SettingsDep) -> Response:
    """The zone's check-in QR code alone, to lay out one's own poster. Same `Poster-Version` as the SVG."""
    zone = get_zone(session, event_id=event.id, zone_id=zone_id)
    return _poster_response(
        posters.qr_png(posters.checkin_url(settings.public_base_url, zone)),
        "image/png",
        posters.poster_version([zone]),
        posters.file_name(zone, "png"),
    )


@router.get(
    "/posters",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}, "description": "Every zone's poster, one per page"}},
)
def get_all_posters(
    event: OrganizerEvent, session: SessionDep, settings: SettingsDep, size: PosterSize = PosterSize.A4
) -> Response:
    """ "Print all": a page per zone, for the browser to print or save as PDF. Its `Poster-Version`
    changes when any zone's token is rotated, or a zone is added or removed."""
    zones = list_zones(session, event.id)
    return _poster_response(
        posters.posters_html(event, zones, settings.public_base_url, size),
        "text/html; charset=utf-8",
        posters.poster_version(zones),
    )


def _poster_response(content: str | bytes, media_type: str, version: str, filename: str | None = None) -> Response:
    headers = _POSTER_HEADERS | {POSTER_VERSION: version}
    if filename:
        headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return Response(content, media_type=media_type, headers=headers)
