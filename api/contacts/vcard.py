"""Contact export encoders: vCard 3.0/4.0, Google/Outlook CSV and "card QR" codes.

Pure functions over `ContactCard`; no FastAPI or database dependency, so the
routers only map their models to cards and pick a format.

This is the source of truth for every export. The PWA carries a second writer
(pwa/src/features/contacts/vcard.ts and csv.ts) for one reason: contacts must
export with no network, from the phone's last sync. It asks for the server's
file whenever it is online, and is held to this one by csv-parity/ (the CSVs)
and its own vcard tests; a change here is a change there.

vCard rules applied (RFC 2426 for 3.0, RFC 6350 for 4.0):
- UTF-8, CRLF after every line, lines folded at 75 octets (the leading space of
  a continuation line included) and never inside a multi-byte character;
- text escaping of backslash, comma, semicolon and newline, applied per
  component in structured values (N, ORG) and per item in lists (CATEGORIES);
- empty or blank values are omitted rather than emitted as `EMAIL:`.
"""

from __future__ import annotations

import base64
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import quote

import segno

VCardVersion = Literal["3.0", "4.0"]
CsvFlavour = Literal["google", "outlook"]
ExportExtension = Literal["vcf", "csv", "ics"]

VCARD_MEDIA_TYPE = "text/vcard; charset=utf-8"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"

_PRODID = "-//Couloir//Contact export//EN"
_CRLF = "\r\n"
_MAX_LINE_OCTETS = 75


@dataclass(kw_only=True)
class ContactCard:
    """One person as exported to an address book.

    `given_name`/`family_name` are optional: when both are missing the N
    property is derived from `full_name`. `photo_jpeg` must hold JPEG bytes.
    `categories` carries the event name, the owner's tags and a follow-up mark. Naive `revision` datetimes are
    taken as UTC (how the app stores timestamps).
    """

    full_name: str
    uid: str
    given_name: str | None = None
    family_name: str | None = None
    org: str | None = None
    title: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    photo_jpeg: bytes | None = None
    categories: list[str] = field(default_factory=list)
    note: str | None = None
    revision: datetime | None = None


# --- text helpers -----------------------------------------------------------

# C0/C1 controls other than TAB/LF: vCard's VALUE-CHAR grammar forbids them and
# importers choke on them; CSV consumers gain nothing from them either.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _clean(value: str | None) -> str | None:
    """Normalise line breaks to LF and drop control characters; None if blank."""
    if value is None:
        return None
    cleaned = _CONTROL_CHARS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return cleaned if cleaned.strip() else None


def _present(values: Iterable[str | None]) -> list[str]:
    """Cleaned, non-blank list items (emails, phones, urls, categories)."""
    return [v.strip() for v in map(_clean, values) if v is not None]


def _name_parts(card: ContactCard) -> tuple[str, str]:
    """(family, given) for N; explicit parts win, else split `full_name`.

    Western order is assumed: the family name is the last word, or starts at
    the first lower-case particle after the first word ("Ludwig van
    Beethoven" -> "van Beethoven"). A single word is kept as the given name.
    """
    if card.given_name or card.family_name:
        return card.family_name or "", card.given_name or ""
    words = card.full_name.split()
    if len(words) < 2:
        return "", card.full_name.strip()
    start = next((i for i in range(1, len(words) - 1) if words[i][0].islower()), len(words) - 1)
    return " ".join(words[start:]), " ".join(words[:start])


# --- vCard ------------------------------------------------------------------


def _escape(value: str, version: VCardVersion) -> str:
    """A TEXT value. RFC 2426 §4 (3.0) escapes ';' in every text value; RFC 6350 §3.4 (4.0) only where it
    separates components (`_structured`), and a reader of 4.0 (Mozilla's ical.js, say) keeps a '\\;' in a
    single value such as FN, TITLE or NOTE as it stands."""
    escaped = value.replace("\\", "\\\\").replace(",", "\\,").replace("\n", "\\n")
    return escaped.replace(";", "\\;") if version == "3.0" else escaped


def _structured(*components: str) -> str:
    """Compound value (N, ORG): ';' separates components, so each escapes its own in both versions."""
    return ";".join(_escape(_clean(c) or "", "3.0") for c in components)


# A URI is written as given: vCard does not escape URI values (RFC 6350's ABNF; URL is a URI in 3.0 too),
# and escaping or percent-encoding its ',' or ';' would make another URI. Only whitespace, which no URI can
# hold, is percent-encoded.
_URI_WHITESPACE = re.compile(r"\s")


def _uri(url: str) -> str:
    return _URI_WHITESPACE.sub(lambda m: quote(m.group(), safe=""), url)


def _fold(line: str) -> str:
    """Fold one content line at 75 octets, never splitting a UTF-8 sequence.

    Works on the encoded bytes: a cut that would land on a continuation byte
    (0b10xxxxxx) backs off to the start of that character.
    """
    data = line.encode("utf-8")
    pieces: list[bytes] = []
    start, limit = 0, _MAX_LINE_OCTETS
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:
            cut -= 1
        pieces.append(data[start:cut])
        start, limit = cut, _MAX_LINE_OCTETS - 1  # the leading space counts
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode("utf-8") + _CRLF


def _timestamp(moment: datetime, version: VCardVersion) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    # 3.0 uses ISO 8601 extended form, 4.0 the basic form (RFC 6350 §4.3.5).
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ" if version == "3.0" else "%Y%m%dT%H%M%SZ")


def _identity_lines(card: ContactCard, version: VCardVersion) -> list[str]:
    """FN, N, ORG, TITLE, TEL, EMAIL, URL: what both the .vcf and the QR carry."""
    full_name = _clean(card.full_name)
    if full_name is None:
        raise ValueError("ContactCard.full_name is required (FN is mandatory in vCard)")
    v4 = version == "4.0"
    family, given = _name_parts(card)
    lines = [f"FN:{_escape(full_name, version)}", f"N:{_structured(family, given, '', '', '')}"]
    if (org := _clean(card.org)) is not None:
        lines.append(f"ORG:{_structured(org)}")
    if (title := _clean(card.title)) is not None:
        lines.append(f"TITLE:{_escape(title, version)}")
    # Numbers collected in a hallway are mobiles; TEL stays free text (the 4.0
    # default too) because the app does not normalise numbers to tel: URIs.
    lines += [f"TEL;TYPE={'cell' if v4 else 'CELL'}:{_escape(p, version)}" for p in _present(card.phones)]
    # TYPE=INTERNET is the 3.0 default that some importers still require; 4.0 dropped it.
    email_prefix = "EMAIL" if v4 else "EMAIL;TYPE=INTERNET"
    lines += [f"{email_prefix}:{_escape(e, version)}" for e in _present(card.emails)]
    lines += [f"URL:{_uri(u)}" for u in _present(card.urls)]
    return lines


def _envelope(lines: Sequence[str], version: VCardVersion) -> list[str]:
    # RFC 6350 §6.7.9: VERSION must come right after BEGIN.
    return ["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]


def _vcard_lines(card: ContactCard, version: VCardVersion) -> list[str]:
    v4 = version == "4.0"
    # The uid is an opaque app id, not necessarily a URI, so 4.0 resets the
    # value type to text (RFC 6350 §6.7.6); the value is identical in 3.0.
    lines = [f"PRODID:{_PRODID}", f"{'UID;VALUE=text' if v4 else 'UID'}:{_escape(card.uid, version)}"]
    lines += _identity_lines(card, version)
    if categories := _present(card.categories):
        lines.append("CATEGORIES:" + ",".join(_escape(c, version) for c in categories))
    if (note := _clean(card.note)) is not None:
        lines.append(f"NOTE:{_escape(note, version)}")
    if card.photo_jpeg:
        encoded = base64.b64encode(card.photo_jpeg).decode("ascii")
        lines.append(f"PHOTO:data:image/jpeg;base64,{encoded}" if v4 else f"PHOTO;ENCODING=b;TYPE=JPEG:{encoded}")
    if card.revision is not None:
        lines.append(f"REV:{_timestamp(card.revision, version)}")
    return _envelope(lines, version)


def render_vcards(cards: Iterable[ContactCard], version: VCardVersion = "3.0") -> str:
    """Serialise cards into one .vcf document (encode the result as UTF-8).

    3.0 is the default because it is what iOS, Android and Google Contacts
    import reliably; 4.0 is available on request.
    """
    if version not in ("3.0", "4.0"):
        raise ValueError(f"unsupported vCard version: {version!r}")
    return "".join(_fold(line) for card in cards for line in _vcard_lines(card, version))


# --- download names ---------------------------------------------------------

_FILENAME_PREFIX = "couloir-contacts"
_SLUG_MAX = 60


def _slug(label: str, *, ascii_only: bool) -> str:
    if ascii_only:
        # NFKD splits "é" into "e" + combining accent, which the ASCII encode drops.
        label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    else:
        # NFC keeps "é" one word character instead of "e" + a separator-like mark.
        label = unicodedata.normalize("NFC", label)
    return re.sub(r"[\W_]+", "-", label.lower()).strip("-")[:_SLUG_MAX].strip("-")


def _export_filename(
    label: str, ext: ExportExtension, *, ascii_only: bool = True, prefix: str = _FILENAME_PREFIX
) -> str:
    slug = _slug(label, ascii_only=ascii_only)
    return f"{prefix}-{slug}.{ext}" if slug else f"{prefix}.{ext}"


def vcard_filename(label: str) -> str:
    """Safe ASCII download name, e.g. "couloir-contacts-devops-days.vcf"."""
    return _export_filename(label, "vcf")


def csv_filename(label: str) -> str:
    """Safe ASCII download name for the CSV export."""
    return _export_filename(label, "csv")


def content_disposition(label: str, ext: ExportExtension = "vcf", *, prefix: str = _FILENAME_PREFIX) -> str:
    """`Content-Disposition` value for an export download (RFC 6266).

    The ASCII `filename` comes first as the fallback (RFC 6266 appendix D);
    `filename*` (RFC 8187 UTF-8 form) is added only when the label has
    characters the ASCII name lost, e.g. "Journées DevOps" or "東京".
    """
    ascii_name = _export_filename(label, ext, prefix=prefix)
    header = f'attachment; filename="{ascii_name}"'
    utf8_name = _export_filename(label, ext, ascii_only=False, prefix=prefix)
    if utf8_name != ascii_name:
        # attr-char of RFC 8187: everything else is percent-encoded.
        header += "; filename*=UTF-8''" + quote(utf8_name, safe="!#$&+-.^_`|~")
    return header


# --- CSV --------------------------------------------------------------------

# Spreadsheets run a cell as a formula when it starts with "=", "+", "-" or "@" (OWASP "CSV injection"): an
# attendee could plant `=HYPERLINK(...)` or a DDE payload in their profile that fires when someone opens the
# export in Excel. Only cells that could do something are guarded, with a leading apostrophe that keeps them
# text: one whose first character past any whitespace (which some importers strip) is "=", or "+", "-" or
# "@" followed somewhere by a function call "(", a DDE "|" or a reference to another sheet or file "!".
# Anything else ("@Home", "-Jean", "+33 6 12 34 56 78", "- co-founder") is a name or a number, and an
# apostrophe would be a wrong character in the importing address book.
_FORMULA = re.compile(r"\s*(=|[-+@].*[(|!])", re.DOTALL)
# A phone number in parentheses, "+1 (555) 010-0199", holds no function: digits and punctuation only.
_INERT_PHONE = re.compile(r"\+[0-9 ().\-/]+")


def _cell(value: str | None, *, phone: bool = False) -> str:
    text = _clean(value) or ""
    if _FORMULA.match(text) and not (phone and _INERT_PHONE.fullmatch(text)):
        return "'" + text
    return text


def _slots(values: Sequence[str], count: int) -> list[str]:
    """Exactly `count` cells: the first values, padded with blanks."""
    return [*values, *[""] * count][:count]


def _google_rows(cards: Sequence[ContactCard]) -> list[list[str]]:
    # Headers of Google Contacts' current CSV export, which its importer maps
    # by name (the legacy "Given Name"/"Group Membership" layout is no longer
    # what Google exports). Label columns mirror that layout; phones are
    # labelled "Mobile" like TEL;TYPE=CELL. Multi-values get numbered columns,
    # as many as the busiest card needs.
    emails = [_present(c.emails) for c in cards]
    phones = [_present(c.phones) for c in cards]
    urls = [_present(c.urls) for c in cards]
    n_email, n_phone, n_url = (max(map(len, vs), default=0) or 1 for vs in (emails, phones, urls))
    header = ["First Name", "Last Name", "Organization Name", "Organization Title", "Notes", "Labels"]
    for i in range(1, n_email + 1):
        header += [f"E-mail {i} - Label", f"E-mail {i} - Value"]
    for i in range(1, n_phone + 1):
        header += [f"Phone {i} - Label", f"Phone {i} - Value"]
    for i in range(1, n_url + 1):
        header += [f"Website {i} - Label", f"Website {i} - Value"]
    rows = [header]
    for card, card_emails, card_phones, card_urls in zip(cards, emails, phones, urls, strict=True):
        family, given = _name_parts(card)
        row = [
            _cell(given),
            _cell(family),
            _cell(card.org),
            _cell(card.title),
            _cell(card.note),
            # Google's multi-value separator; each label becomes a contact group.
            _cell(" ::: ".join(_present(card.categories))),
        ]
        for email in _slots(card_emails, n_email):
            row += ["", _cell(email)]
        for number in _slots(card_phones, n_phone):
            row += ["Mobile" if number else "", _cell(number, phone=True)]
        for url in _slots(card_urls, n_url):
            row += ["", _cell(url)]
        rows.append(row)
    return rows


# Outlook's import has fixed slots: three e-mails, one web page and (for
# mobiles) "Mobile Phone" plus "Other Phone". Overflow goes to Notes rather
# than being silently dropped.
_OUTLOOK_EMAIL_SLOTS = 3
_OUTLOOK_PHONE_SLOTS = 2
_OUTLOOK_HEADER = (
    # "Title" (the honorific, always empty here) leads as in Outlook's own
    # export, so an importer that keeps the BOM glued to the first header only
    # loses a column we never fill.
    "Title",
    "First Name",
    "Last Name",
    "Company",
    "Job Title",
    "E-mail Address",
    "E-mail 2 Address",
    "E-mail 3 Address",
    "Mobile Phone",
    "Other Phone",
    "Web Page",
    "Categories",
    "Notes",
)


def _outlook_rows(cards: Sequence[ContactCard]) -> list[list[str]]:
    rows = [list(_OUTLOOK_HEADER)]
    for card in cards:
        family, given = _name_parts(card)
        emails, phones, urls = _present(card.emails), _present(card.phones), _present(card.urls)
        overflow = emails[_OUTLOOK_EMAIL_SLOTS:] + phones[_OUTLOOK_PHONE_SLOTS:] + urls[1:]
        notes = "\n".join(n for n in [_clean(card.note), *overflow] if n)
        rows.append(
            [
                "",
                _cell(given),
                _cell(family),
                _cell(card.org),
                _cell(card.title),
                *map(_cell, _slots(emails, _OUTLOOK_EMAIL_SLOTS)),
                *(_cell(p, phone=True) for p in _slots(phones, _OUTLOOK_PHONE_SLOTS)),
                _cell(urls[0] if urls else ""),
                # Outlook separates categories with ";", so one inside a name
                # would split it in two.
                _cell(";".join(c.replace(";", ",") for c in _present(card.categories))),
                _cell(notes),
            ]
        )
    return rows


def render_csv(cards: Iterable[ContactCard], flavour: CsvFlavour = "google") -> str:
    """CSV for Google Contacts or Outlook import (RFC 4180: CRLF, minimal quoting).

    Encoding: the Outlook flavour starts with a UTF-8 BOM because Outlook's
    import wizard and Excel read a BOM-less CSV in the Windows ANSI code page,
    which turns "Zoë" into "ZoÃ«". Google Contacts reads UTF-8 natively, so
    the Google flavour has no BOM that could stick to its first header.
    """
    card_list = list(cards)
    if flavour == "google":
        rows, bom = _google_rows(card_list), ""
    elif flavour == "outlook":
        rows, bom = _outlook_rows(card_list), "\ufeff"
    else:
        raise ValueError(f"unsupported CSV flavour: {flavour!r}")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=_CRLF).writerows(rows)
    return bom + buffer.getvalue()


# --- card QR ----------------------------------------------------------------

# Each QR value is capped so that even a pathological card (long names full of
# 4-byte emoji and escaped commas) stays far below QR version 40's capacity,
# while a normal card yields a small, easily scanned code.
_QR_VALUE_OCTETS = 128


def _truncate(value: str | None) -> str | None:
    if value is None:
        return None
    # errors="ignore" drops a character the byte cut would have split.
    return value.encode("utf-8")[:_QR_VALUE_OCTETS].decode("utf-8", errors="ignore")


def _first_short(values: Sequence[str]) -> list[str]:
    # A truncated e-mail or URL would be wrong, so an over-long one is left out.
    return [v for v in _present(values) if len(v.encode("utf-8")) <= _QR_VALUE_OCTETS][:1]


def card_qr_text(card: ContactCard) -> str:
    """Payload of a personal "card QR" that phone cameras open as a contact.

    A compact vCard 3.0 (the version every scanner handles): name, org, title
    and the first phone, e-mail and URL; no photo, note, UID or categories.
    Lines are not folded: folding is only a SHOULD, it costs bytes, and one
    property per line is the form every scanner's parser gets right.
    """
    family, given = _name_parts(card)
    compact = replace(
        card,
        full_name=_truncate(card.full_name) or "",
        given_name=_truncate(given),
        family_name=_truncate(family),
        org=_truncate(card.org),
        title=_truncate(card.title),
        phones=_first_short(card.phones),
        emails=_first_short(card.emails),
        urls=_first_short(card.urls),
    )
    return _CRLF.join(_envelope(_identity_lines(compact, "3.0"), "3.0")) + _CRLF


def card_qr_svg(card: ContactCard, *, scale: int = 8) -> str:
    """SVG QR code for `card_qr_text(card)`.

    Error correction M at least (segno raises it for free when the version
    allows), standard 4-module quiet zone, opaque white background so the code
    stays scannable on a dark page. Always UTF-8 bytes (segno would pick
    Latin-1 when it fits, which phone readers tend to mis-guess) and no ECI
    header, which many readers do not support.
    """
    qr = segno.make(card_qr_text(card), error="m", micro=False, encoding="utf-8")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=scale, border=4, dark="#000", light="#fff", xmldecl=False)
    return buffer.getvalue().decode("utf-8")
