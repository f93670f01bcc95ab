"""iCalendar (RFC 5545) files from a list of entries: talks today, rendezvous later. Pure: no I/O.

Times are written in UTC (form #2 of RFC 5545 §3.3.5), so no VTIMEZONE is needed and every calendar
shows them on the phone's own clock.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

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


def render_calendar(entries: Iterable[CalendarEntry], *, name: str, stamp: datetime) -> str:
    """A VCALENDAR with one VEVENT per entry; `stamp` is when the file was made (DTSTAMP)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for entry in entries:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{entry.uid}",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART:{_utc(entry.starts_at)}",
            f"DTEND:{_utc(entry.ends_at)}",
            f"SUMMARY:{escape_text(entry.summary)}",
        ]
        if entry.description:
            lines.append(f"DESCRIPTION:{escape_text(entry.description)}")
        if entry.location:
            lines.append(f"LOCATION:{escape_text(entry.location)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
