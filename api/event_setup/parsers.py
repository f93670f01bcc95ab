"""Reading the organizer's files: a schedule exported by a conference tool (pretalx/frab JSON or XML,
or our CSV) and a ticketing export (CSV).

Plain functions, no database. Each reads the whole file and returns plain rows, or raises
InvalidImportFile listing every problem it found (where, which field, what is wrong), so a bad file
imports nothing.
"""

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from email.utils import collapse_rfc2231_value
from functools import partial
from typing import Any, Literal
from xml.etree.ElementTree import Element, ParseError
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml
from pydantic import EmailStr, TypeAdapter, ValidationError

from api.core.errors import CouloirError, InvalidInput
from api.core.schemas import control_character_problem, moment_problem
from api.events.service import fold

# Our agenda's and profiles' limits (api.agenda.schemas, api.attendees.schemas).
MAX_TITLE = 300
MAX_ABSTRACT = 10_000
MAX_ROOM = 100
MAX_BREAK_LABEL = 100
MAX_TOPIC = 100
MAX_NAME = 80
MAX_COMPANY = 120
MAX_EXTERNAL_ID = 100
MAX_LINKS_PER_TALK = 50
# Enough to fix a file in one go, without a megabyte of errors for a file of the wrong kind.
MAX_PROBLEMS = 50
# A schedule JSON nests 8 deep; far deeper, Python's parser runs out of stack (a RecursionError, not a 422).
MAX_JSON_DEPTH = 32
# The text encodings a file may be sent in (codecs' names); others (punycode, rot13…) are not a file's.
TEXT_ENCODINGS = {
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "ascii",
    "iso8859-1",
    "iso8859-15",
    "cp1252",
    "mac-roman",
}
# Event types of a schedule that are breaks, not talks (folded).
BREAK_TYPES = {"break", "pause"}
_email = TypeAdapter(EmailStr)


class InvalidImportFile(InvalidInput):
    default_detail = "The file has problems; nothing was imported"


class UnsupportedFileType(CouloirError):
    status_code = 415
    default_detail = "Unsupported file type"


@dataclass(frozen=True)
class Upload:
    body: bytes
    media_type: str
    charset: str | None = None
    filename: str | None = None


def _header(name: str, value: str) -> Message:
    """A header parsed the way email does it (quoted parameters, RFC 2231 file names)."""
    message = Message()
    message[name] = value
    return message


def _charset(header: Message) -> str | None:
    """The charset a header declares, RFC 2231-encoded or not (`charset*=utf-8''latin-1`)."""
    charset = header.get_param("charset")
    return collapse_rfc2231_value(charset) if isinstance(charset, tuple) else charset


def read_upload(body: bytes, content_type: str) -> Upload:
    """The file a request carries: its body, or with multipart/form-data (`curl -F file=@schedule.json`) the
    first part that is a file, whatever its field's name."""
    header = _header("content-type", content_type)
    media_type = header.get_content_type() if content_type.strip() else ""
    if media_type != "multipart/form-data":
        return Upload(body=body, media_type=media_type, charset=_charset(header))
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise UnsupportedFileType("multipart/form-data without a boundary")
    part = _first_file_part(body, boundary.encode("latin-1", "replace"))
    if part is None:
        raise InvalidImportFile(
            {"message": "No file in the form: send the file as a file part (curl -F file=@programme.json)"}
        )
    headers, content = part
    disposition = _header("content-disposition", headers.get("content-disposition", ""))
    part_type = _header("content-type", headers.get("content-type", "application/octet-stream"))
    filename = disposition.get_filename()
    return Upload(
        body=content,
        media_type=part_type.get_content_type(),
        charset=_charset(part_type),
        filename=filename,
    )


def _first_file_part(body: bytes, boundary: bytes) -> tuple[dict[str, str], bytes] | None:
    """The headers and content of the first part with a file name, or None. Slices of the body, which the body
    cap has already bounded: nothing is read beyond it."""
    delimiter = b"--" + boundary
    position = body.find(delimiter)
    while position >= 0:
        position += len(delimiter)
        if body.startswith(b"--", position):  # the closing delimiter
            return None
        headers_start = body.find(b"\r\n", position)
        headers_end = body.find(b"\r\n\r\n", headers_start)
        if headers_start < 0 or headers_end < 0:
            return None
        end = body.find(b"\r\n" + delimiter, headers_end + 4)
        if end < 0:
            return None
        headers = {}
        for line in body[headers_start + 2 : headers_end].decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if _header("content-disposition", headers.get("content-disposition", "")).get_filename() is not None:
            return headers, body[headers_end + 4 : end]
        position = end + 2
    return None


@dataclass(frozen=True)
class SpeakerRef:
    name: str
    email: str | None = None


@dataclass
class TalkRow:
    external_id: str
    title: str
    abstract: str
    room: str
    starts_at: datetime
    ends_at: datetime
    speakers: list[SpeakerRef]
    topics: list[str]


@dataclass
class BreakRow:
    label: str
    starts_at: datetime
    ends_at: datetime


@dataclass
class Programme:
    format: Literal["schedule-json", "schedule-xml", "csv"]
    talks: list[TalkRow] = field(default_factory=list)
    breaks: list[BreakRow] = field(default_factory=list)
    # The time zone the file says it is in, if it says one.
    file_timezone: str | None = None


@dataclass
class TicketRow:
    line: int
    name: str
    email: str | None
    company: str
    # The order's status as the file writes it, when the file has a status column (pretix's exports do).
    status: str | None = None

    @property
    def paid(self) -> bool:
        return self.status is None or fold(self.status) in PAID


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.total = 0

    def add(self, where: str, field: str | None, problem: str) -> None:
        self.total += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append({"where": where, "field": field, "problem": problem})

    def fail(self, where: str, field: str | None, problem: str) -> InvalidImportFile:
        self.add(where, field, problem)
        return self.error()

    def error(self) -> InvalidImportFile:
        noun = "problem" if self.total == 1 else "problems"
        return InvalidImportFile(
            {"message": f"{self.total} {noun} in the file; nothing was imported", "problems": self.items}
        )

    def check(self) -> None:
        if self.total:
            raise self.error()


def _require_content(upload: Upload, problems: _Problems) -> None:
    if not upload.body.strip():
        raise problems.fail("file", None, "the file is empty")


def _text_encoding(charset: str) -> str:
    """The codec of a text file's declared charset; UnsupportedFileType for one that is not a text encoding."""
    try:
        encoding = codecs.lookup(charset).name
    except LookupError:
        encoding = None
    if encoding not in TEXT_ENCODINGS:
        raise UnsupportedFileType(f"The charset {charset!r} is not supported: send the file as UTF-8")
    return "utf-8-sig" if encoding == "utf-8" else encoding


def _decode_text(upload: Upload, problems: _Problems) -> str:
    """UTF-8 unless the request declares another charset (of TEXT_ENCODINGS); a byte-order mark is dropped."""
    encoding = _text_encoding(upload.charset) if upload.charset else "utf-8-sig"
    try:
        text = upload.body.decode(encoding)
    except UnicodeDecodeError as exc:
        line = upload.body[: exc.start].count(b"\n") + 1
        raise problems.fail(
            f"line {line}", None, f"not {upload.charset or 'UTF-8'} text: save the file as UTF-8, or send its charset"
        ) from None
    return text.removeprefix("\ufeff")


# Programme --------------------------------------------------------------------------------------

PROGRAMME_TYPES = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "application/csv": "csv",
    # What Windows browsers give a .csv file.
    "application/vnd.ms-excel": "csv",
}


# Bodies that do not say what they are: a file of a form (curl -F), or curl --data-binary with
# application/octet-stream. Told by the file name's extension, else by their first character.
UNTYPED = {"", "application/octet-stream"}
_EXTENSIONS = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "csv", "txt": "csv"}


def _programme_kind(upload: Upload) -> str | None:
    if upload.media_type not in UNTYPED:
        return PROGRAMME_TYPES.get(upload.media_type)
    extension = (upload.filename or "").rpartition(".")[2].lower()
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    start = upload.body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return {b"{": "json", b"<": "xml"}.get(start, "csv")


def parse_programme(upload: Upload, tz: ZoneInfo) -> Programme:
    """Times without an offset are read in `tz`, the event's time zone; all come back in UTC."""
    kind = _programme_kind(upload)
    if kind is None:
        raise UnsupportedFileType(
            f"Send the programme as application/json or application/xml (pretalx/frab schedule) "
            f"or text/csv, not {upload.media_type or 'an untyped body'}"
        )
    problems = _Problems()
    _require_content(upload, problems)
    if kind == "xml":
        programme = _schedule_xml(upload.body, tz, problems)
    elif kind == "json":
        programme = _schedule_json(_decode_text(upload, problems), tz, problems)
    else:
        programme = _programme_csv(_decode_text(upload, problems), tz, problems)
    problems.check()
    return programme


@dataclass
class _RawEvent:
    """One schedule entry as a JSON or XML file has it, before checking."""

    where: str
    ident: Any
    title: Any
    abstract: Any
    description: Any
    date: Any
    start: Any
    duration: Any
    room: Any
    track: Any
    type: Any
    persons: list[tuple[Any, Any]]


# A JSON string (escapes included) or a bracket: what the nesting depth is counted from, before parsing.
_JSON_NESTING = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')


def _json_depth_over(text: str, limit: int) -> bool:
    depth = 0
    for token in _JSON_NESTING.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        elif bracket in "]}":
            depth -= 1
    return False


def _schedule_json(text: str, tz: ZoneInfo, problems: _Problems) -> Programme:
    if _json_depth_over(text, MAX_JSON_DEPTH):
        raise problems.fail("file", None, f"nested more than {MAX_JSON_DEPTH} levels deep: not a schedule")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise problems.fail(f"line {exc.lineno}, column {exc.colno}", None, f"not valid JSON: {exc.msg}") from None
    schedule = document.get("schedule") if isinstance(document, dict) else None
    conference = schedule.get("conference") if isinstance(schedule, dict) else None
    if not isinstance(conference, dict):
        where = "schedule.conference" if isinstance(schedule, dict) else "schedule"
        raise problems.fail(where, None, "missing: expected an object (is this a pretalx/frab schedule JSON?)")
    days = conference.get("days")
    if not isinstance(days, list):
        raise problems.fail("schedule.conference.days", None, "expected a list of days")
    programme = Programme(format="schedule-json", file_timezone=_optional_text(conference.get("time_zone_name")))
    seen: dict[str, str] = {}
    for i, day in enumerate(days):
        path = f"schedule.conference.days[{i}]"
        if not isinstance(day, dict):
            problems.add(path, None, "expected an object")
            continue
        day_date = _day_date(day.get("date"), path, problems)
        rooms = day.get("rooms")
        if not isinstance(rooms, dict):
            problems.add(path, "rooms", "unknown room format: expected an object mapping each room's name to its list")
            continue
        for room_name, entries in rooms.items():
            room_path = f"{path}.rooms[{json.dumps(room_name, ensure_ascii=False)}]"
            if not isinstance(entries, list):
                problems.add(room_path, None, "unknown room format: expected a list of talks")
                continue
            for j, entry in enumerate(entries):
                where = f"{room_path}[{j}]"
                if not isinstance(entry, dict):
                    problems.add(where, None, "expected an object")
                    continue
                raw = _RawEvent(
                    where=where,
                    ident=entry.get("guid") or entry.get("id"),
                    title=entry.get("title"),
                    abstract=entry.get("abstract"),
                    description=entry.get("description"),
                    date=entry.get("date"),
                    start=entry.get("start"),
                    duration=entry.get("duration"),
                    room=entry.get("room") or room_name,
                    track=entry.get("track"),
                    type=entry.get("type"),
                    persons=_json_persons(entry.get("persons"), where, problems),
                )
                _add_entry(programme, raw, day_date, tz, seen, problems)
    return programme


def _json_persons(value: Any, where: str, problems: _Problems) -> list[tuple[Any, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
        problems.add(where, "persons", "expected a list of objects with a public_name")
        return []
    return [(p.get("public_name") or p.get("name"), p.get("email")) for p in value]


_XML_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


def _schedule_xml(body: bytes, tz: ZoneInfo, problems: _Problems) -> Programme:
    declared = _XML_ENCODING.match(body.removeprefix(b"\xef\xbb\xbf"))
    if declared:
        _text_encoding(declared.group(1).decode("ascii", "replace"))
    try:
        # Entities and DTDs refused: a schedule needs neither, and they are how XML bombs explode.
        root = parse_xml(body, forbid_dtd=True)
    except ParseError as exc:
        line, column = exc.position
        raise problems.fail(f"line {line}, column {column + 1}", None, "not well-formed XML") from None
    except DefusedXmlException:
        raise problems.fail("file", None, "the XML declares a DTD or entities, which are refused") from None
    except (UnicodeError, ValueError):  # an encoding expat reads only through Python's codecs, and fails to
        raise problems.fail("file", None, "cannot read the XML in its declared encoding: send it as UTF-8") from None
    if root.tag != "schedule":
        raise problems.fail(f"<{root.tag}>", None, "expected a <schedule> root element (pretalx/frab schedule XML)")
    days = root.findall("day")
    if not days:
        raise problems.fail("schedule", "day", "no <day> element")
    file_timezone = _optional_text(root.findtext("conference/time_zone_name"))
    programme = Programme(format="schedule-xml", file_timezone=file_timezone)
    seen: dict[str, str] = {}
    for i, day in enumerate(days, start=1):
        path = f"schedule/day[{i}]"
        day_date = _day_date(day.get("date"), path, problems)
        for room in day.findall("room"):
            room_name = room.get("name")
            room_path = f'{path}/room[@name="{room_name}"]' if room_name is not None else f"{path}/room"
            for j, entry in enumerate(room.findall("event"), start=1):
                where = f"{room_path}/event[{j}]"
                persons = entry.find("persons")
                raw = _RawEvent(
                    where=where,
                    ident=entry.get("guid") or entry.get("id"),
                    title=entry.findtext("title"),
                    abstract=entry.findtext("abstract"),
                    description=entry.findtext("description"),
                    date=entry.findtext("date"),
                    start=entry.findtext("start"),
                    duration=entry.findtext("duration"),
                    room=entry.findtext("room") or room_name,
                    track=entry.findtext("track"),
                    type=entry.findtext("type"),
                    persons=_xml_persons(persons),
                )
                _add_entry(programme, raw, day_date, tz, seen, problems)
    return programme


def _xml_persons(persons: Element | None) -> list[tuple[Any, Any]]:
    if persons is None:
        return []
    return [("".join(p.itertext()), p.get("email")) for p in persons.findall("person")]


def _add_entry(
    programme: Programme,
    raw: _RawEvent,
    day_date: date | None,
    tz: ZoneInfo,
    seen: dict[str, str],
    problems: _Problems,
) -> None:
    before = problems.total
    where = raw.where
    title = _text(raw.title, where, "title", problems, required=True)
    kind = fold(_text(raw.type, where, "type", problems))
    starts_at = _entry_start(raw, day_date, tz, problems)
    duration = _duration(raw.duration, where, problems)
    if kind in BREAK_TYPES:
        _limit(title, MAX_BREAK_LABEL, where, "title", problems)
        if problems.total == before and starts_at is not None and duration is not None:
            programme.breaks.append(BreakRow(label=title, starts_at=starts_at, ends_at=starts_at + duration))
        return
    external_id = _external_id(raw.ident, where, seen, problems)
    _limit(title, MAX_TITLE, where, "title", problems)
    room = _text(raw.room, where, "room", problems, required=True)
    _limit(room, MAX_ROOM, where, "room", problems)
    abstract = _text(raw.abstract, where, "abstract", problems) or _text(
        raw.description, where, "description", problems
    )
    _multiline(abstract, where, "abstract", problems)
    track = _text(raw.track, where, "track", problems)
    speakers = _speakers(raw.persons, where, "persons", problems)
    topics = _topics([track] if track else [], where, "track", problems)
    if problems.total == before and starts_at is not None and duration is not None:
        programme.talks.append(
            TalkRow(
                external_id=external_id,
                title=title,
                abstract=_shorten(abstract, MAX_ABSTRACT),
                room=room,
                starts_at=starts_at,
                ends_at=starts_at + duration,
                speakers=speakers,
                topics=topics,
            )
        )


def _entry_start(raw: _RawEvent, day_date: date | None, tz: ZoneInfo, problems: _Problems) -> datetime | None:
    """`date` when it is a full date and time (pretalx and frab write one); else the day's date and `start`."""
    date_text = _text(raw.date, raw.where, "date", problems)
    if "T" in date_text or " " in date_text:
        return _aware(date_text, raw.where, "date", tz, problems)
    base = day_date
    if date_text:
        base = _parse_date(date_text, raw.where, "date", problems)
        if base is None:
            return None
    start = _text(raw.start, raw.where, "start", problems, required=True)
    if not start:
        return None
    if not re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", start):
        problems.add(raw.where, "start", f"not a time of day (HH:MM): {start!r}")
        return None
    if base is None:
        problems.add(raw.where, "date", "missing: neither the talk nor its day has a date")
        return None
    return _aware(f"{base.isoformat()}T{start.zfill(5)}", raw.where, "start", tz, problems)


def _day_date(value: Any, where: str, problems: _Problems) -> date | None:
    if value is None:
        return None
    return _parse_date(_text(value, where, "date", problems), where, "date", problems)


def _parse_date(text: str, where: str, field: str, problems: _Problems) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        problems.add(where, field, f"not a date (YYYY-MM-DD): {text!r}")
        return None


def _duration(value: Any, where: str, problems: _Problems) -> timedelta | None:
    text = _text(value, where, "duration", problems, required=True)
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,3}):([0-5]\d)(?::([0-5]\d))?", text)
    if match is None:
        problems.add(where, "duration", f"not a duration (HH:MM): {text!r}")
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    duration = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if not duration:
        problems.add(where, "duration", "must be longer than zero")
        return None
    return duration


# Our CSV's columns (documented in the route), with the spellings tolerated, folded.
_PROGRAMME_COLUMNS: dict[str, list[str]] = {
    "id": ["id", "guid", "external id"],
    "title": ["title", "titre"],
    "abstract": ["abstract", "description", "resume"],
    "room": ["room", "salle"],
    "start": ["start", "starts at", "debut"],
    "end": ["end", "ends at", "fin"],
    "speakers": ["speakers", "speaker", "intervenants"],
    "topics": ["topics", "topic", "tracks", "track", "tags", "tracks topics", "themes"],
    "type": ["type"],
}


def _programme_csv(text: str, tz: ZoneInfo, problems: _Problems) -> Programme:
    programme = Programme(format="csv")
    seen: dict[str, str] = {}
    header, rows = _read_csv(text, problems)
    index = _column_index(header, _PROGRAMME_COLUMNS)
    missing = [name for name in ("id", "title", "start", "end") if name not in index]
    if missing:
        raise problems.fail("line 1", None, f"missing column(s): {', '.join(missing)}")
    for line, cells in rows:
        where = f"line {line}"
        cell = partial(_cell, cells, index)
        before = problems.total
        kind = fold(cell("type")) or "talk"
        if kind not in BREAK_TYPES | {"talk"}:
            problems.add(where, "type", f"expected talk or break, not {cell('type')!r}")
        title = _text(cell("title"), where, "title", problems, required=True)
        starts_at = _csv_time(cell("start"), where, "start", tz, problems)
        ends_at = _csv_time(cell("end"), where, "end", tz, problems)
        if starts_at and ends_at and ends_at <= starts_at:
            problems.add(where, "end", "must be after start")
        if kind in BREAK_TYPES:
            _limit(title, MAX_BREAK_LABEL, where, "title", problems)
            if problems.total == before and starts_at is not None and ends_at is not None:
                programme.breaks.append(BreakRow(label=title, starts_at=starts_at, ends_at=ends_at))
            continue
        external_id = _external_id(cell("id"), where, seen, problems)
        _limit(title, MAX_TITLE, where, "title", problems)
        room = cell("room")
        _limit(room, MAX_ROOM, where, "room", problems)
        _multiline(cell("abstract"), where, "abstract", problems)
        speakers = _speakers(
            [_name_and_email(part) for part in _split_list(cell("speakers"))], where, "speakers", problems
        )
        topics = _topics(_split_list(cell("topics")), where, "topics", problems)
        if problems.total == before and starts_at is not None and ends_at is not None:
            programme.talks.append(
                TalkRow(
                    external_id=external_id,
                    title=title,
                    abstract=_shorten(cell("abstract"), MAX_ABSTRACT),
                    room=room,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    speakers=speakers,
                    topics=topics,
                )
            )
    return programme


def _csv_time(text: str, where: str, field: str, tz: ZoneInfo, problems: _Problems) -> datetime | None:
    if not text:
        problems.add(where, field, "missing")
        return None
    if not re.search(r"\d:\d{2}", text):
        problems.add(where, field, f"not a date and time (YYYY-MM-DD HH:MM): {text!r}")
        return None
    return _aware(text, where, field, tz, problems)


def _split_list(text: str) -> list[str]:
    """Several speakers or topics in one cell are separated by ';' or '|'."""
    return [part.strip() for part in re.split(r"[;|]", text) if part.strip()]


def _name_and_email(text: str) -> tuple[str, str | None]:
    """'Ada Lovelace <ada@example.org>' or just 'Ada Lovelace'."""
    match = re.fullmatch(r"(.*?)\s*<([^<>]*)>", text)
    return (match.group(1), match.group(2)) if match else (text, None)


# Shared checks ----------------------------------------------------------------------------------


def _text(value: Any, where: str, field: str, problems: _Problems, *, required: bool = False) -> str:
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value.strip()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
    else:
        problems.add(where, field, "expected text")
        return ""
    if required and not text:
        problems.add(where, field, "missing")
    return text


def _optional_text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _limit(text: str, limit: int, where: str, field: str, problems: _Problems) -> None:
    """A one-line value: within its column, and no control characters (the API's rule for text input)."""
    if len(text) > limit:
        problems.add(where, field, f"longer than {limit} characters")
    if problem := control_character_problem(text):
        problems.add(where, field, problem)


def _multiline(text: str, where: str, field: str, problems: _Problems) -> None:
    if problem := control_character_problem(text, multiline=True):
        problems.add(where, field, problem)


def _shorten(text: str, limit: int) -> str:
    """Abstracts feed icebreakers and the agenda: a longer one is cut at a word, not refused."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(None, 1)[0] + "…"


def _aware(text: str, where: str, field: str, tz: ZoneInfo, problems: _Problems) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        problems.add(where, field, f"not a date and time (ISO 8601, e.g. 2026-11-26T10:00): {text!r}")
        return None
    if problem := moment_problem(moment):
        problems.add(where, field, f"{problem}: {text!r}")
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def _external_id(value: Any, where: str, seen: dict[str, str], problems: _Problems) -> str:
    ident = _text(value, where, "id", problems, required=True)
    if not ident:
        return ""
    if len(ident) > MAX_EXTERNAL_ID or control_character_problem(ident):
        _limit(ident, MAX_EXTERNAL_ID, where, "id", problems)
    elif ident in seen:
        problems.add(where, "id", f"{ident!r} is already the id of {seen[ident]}")
    else:
        seen[ident] = where
    return ident


def _speakers(persons: list[tuple[Any, Any]], where: str, field: str, problems: _Problems) -> list[SpeakerRef]:
    speakers: dict[tuple[str, str | None], SpeakerRef] = {}
    for raw_name, raw_email in persons:
        name = _text(raw_name, where, field, problems)
        if not name:
            problems.add(where, field, "a speaker without a name")
            continue
        _limit(name, MAX_NAME, where, field, problems)
        email = _checked_email(_text(raw_email, where, field, problems), where, field, problems)
        speakers.setdefault((name, email), SpeakerRef(name=name, email=email))
    if len(speakers) > MAX_LINKS_PER_TALK:
        problems.add(where, field, f"more than {MAX_LINKS_PER_TALK} speakers")
    return list(speakers.values())


def _topics(names: list[str], where: str, field: str, problems: _Problems) -> list[str]:
    topics: dict[str, str] = {}
    for name in names:
        _limit(name, MAX_TOPIC, where, field, problems)
        # A track named only by punctuation ("—") names no topic.
        if fold(name):
            topics.setdefault(fold(name), name)
    if len(topics) > MAX_LINKS_PER_TALK:
        problems.add(where, field, f"more than {MAX_LINKS_PER_TALK} topics")
    return list(topics.values())


def _checked_email(text: str, where: str, field: str, problems: _Problems) -> str | None:
    if not text:
        return None
    try:
        return _email.validate_python(text).lower()
    except ValidationError:
        problems.add(where, field, f"not an email address: {text!r}")
        return None


def _read_csv(text: str, problems: _Problems) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (folded) and the non-empty rows with the line each starts on.

    The delimiter is the one the header line uses most: ',' or ';' (French spreadsheets) or a tab.
    """
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                if header is None:
                    header = [fold(c) for c in cells]
                elif len(cells) > len(header):
                    problems.add(
                        f"line {line}",
                        None,
                        f"{len(cells)} fields but the header has {len(header)}: quote values that hold a '{delimiter}'",
                    )
                else:
                    rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise problems.fail(f"line {reader.line_num}", None, f"not valid CSV: {exc}") from None
    if header is None:
        raise problems.fail("file", None, "the file is empty")
    return header, rows


def _cell(cells: list[str], index: dict[str, int], name: str) -> str:
    position = index.get(name)
    return cells[position].strip() if position is not None and position < len(cells) else ""


def _column_index(header: list[str], columns: dict[str, list[str]]) -> dict[str, int]:
    """Our name of each column → its position; of its spellings, the first one present wins."""
    index: dict[str, int] = {}
    for name, aliases in columns.items():
        for alias in aliases:
            if alias in header:
                index[name] = header.index(alias)
                break
    return index


# Tickets ----------------------------------------------------------------------------------------

TICKET_TYPES = {"text/csv", "application/csv", "application/vnd.ms-excel"}
# Header variants of ticketing exports (pretix's among them), folded, in order of preference: the
# attendee's own email before the buyer's.
_TICKET_COLUMNS: dict[str, list[str]] = {
    "name": ["attendee name", "name", "full name", "nom complet", "participant"],
    "given": ["attendee name given name", "given name", "first name", "prenom"],
    "family": ["attendee name family name", "family name", "last name", "surname", "nom de famille"],
    "email": [
        "attendee email",
        "attendee e mail",
        "email",
        "e mail",
        "email address",
        "e mail address",
        "adresse e mail",
        "adresse email",
        "courriel",
        "mail",
    ],
    "company": ["company", "attendee company", "organization", "organisation", "societe", "entreprise"],
    "status": ["status", "order status", "statut", "statut de la commande"],
}
# An order's status that is paid, folded: pretix's code ("p") or its name, in English, French or German. Pending,
# expired and cancelled orders get no join link.
PAID = {"p", "paid", "paye", "payee", "bezahlt"}


def parse_tickets(upload: Upload) -> list[TicketRow]:
    if upload.media_type not in TICKET_TYPES | UNTYPED:
        raise UnsupportedFileType(f"Send the attendees as text/csv, not {upload.media_type or 'an untyped body'}")
    problems = _Problems()
    _require_content(upload, problems)
    header, rows = _read_csv(_decode_text(upload, problems), problems)
    index = _column_index(header, _TICKET_COLUMNS)
    # "Nom" is the full name alone, but the family name beside a "Prénom" column.
    if "nom" in header and "name" not in index:
        if "given" not in index:
            index["name"] = header.index("nom")
        elif "family" not in index:
            index["family"] = header.index("nom")
    if "name" not in index and "given" not in index and "family" not in index:
        raise problems.fail("line 1", None, "no name column (name, attendee name, or first and last name)")
    tickets: list[TicketRow] = []
    for line, cells in rows:
        where = f"line {line}"
        cell = partial(_cell, cells, index)
        name = cell("name") or " ".join(part for part in (cell("given"), cell("family")) if part)
        if not name:
            problems.add(where, "name", "missing")
        _limit(name, MAX_NAME, where, "name", problems)
        company = cell("company")
        _limit(company, MAX_COMPANY, where, "company", problems)
        email = _checked_email(cell("email"), where, "email", problems)
        status = cell("status") if "status" in index else None
        tickets.append(TicketRow(line=line, name=name, email=email, company=company, status=status))
    problems.check()
    return tickets
