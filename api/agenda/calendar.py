"""iCalendar (RFC 5545) files from a list of entries: bookmarked talks and rendezvous. Pure: no I/O.

Times are written in UTC (form #2 of RFC 5545 §3.3.5): the same instants as in the event's time zone, without a
VTIMEZONE to get wrong; X-WR-TIMEZONE names the event's zone for the calendars that read it. An entry that
changes keeps its UID and raises its SEQUENCE, so a calendar updates the entry it holds (a cancelled one says
STATUS:CANCELLED) instead of keeping a stale copy beside a new one.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

MEDIA_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Couloir//Agenda//EN"
_LINE_OCTETS = 75


@dataclass(frozen=True)
class CalendarEntry:
    """One VEVENT. `uid` must stay the same across exports so a re-import updates instead of duplicating."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    sequence: int = 0
    status: Literal["CONFIRMED", "TENTATIVE", "CANCELLED"] | None = None


def escape_text(value: str) -> str:
    """TEXT value (§3.3.11): backslash, semicolon, comma and line breaks escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Content lines longer than 75 octets are folded (§3.1), never inside a UTF-8 character."""
    chunks: list[str] = []
    current, size, limit = "", 0, _LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            chunks.append(current)
            # A continuation line starts with a space, which counts in its 75 octets.
            current, size, limit = "", 0, _LINE_OCTETS - 1
        current += char
        size += octets
    chunks.append(current)
    return "\r\n ".join(chunks)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render_calendar(entries: Iterable[CalendarEntry], *, name: str, stamp: datetime, timezone: str = "") -> str:
    """A VCALENDAR with one VEVENT per entry; `stamp` is when the file was made (DTSTAMP)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    if timezone:
        lines.append(f"X-WR-TIMEZONE:{escape_text(timezone)}")
    for entry in entries:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{entry.uid}",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART:{_utc(entry.starts_at)}",
            f"DTEND:{_utc(entry.ends_at)}",
            f"SUMMARY:{escape_text(entry.summary)}",
        ]
        if entry.sequence:
            lines.append(f"SEQUENCE:{entry.sequence}")
        if entry.status:
            lines.append(f"STATUS:{entry.status}")
        if entry.description:
            lines.append(f"DESCRIPTION:{escape_text(entry.description)}")
        if entry.location:
            lines.append(f"LOCATION:{escape_text(entry.location)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
