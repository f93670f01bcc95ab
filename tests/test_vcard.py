"""Contact export encoders, checked against an independent parser (vobject).

Known vobject limitation, worked around rather than hidden: vobject only has
vCard 3.0 behaviours, so it reads a 4.0 `PHOTO:data:image/jpeg;base64,...`
URI as TEXT and cuts it at the (legitimately unescaped) comma. For that one
property the tests take the raw value from vobject's own line parser
(unfolding included) and decode the data URI themselves.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

import pytest
import segno
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from vobject.base import getLogicalLines, textLineToContentLine

from api.contacts.vcard import (
    CSV_MEDIA_TYPE,
    VCARD_MEDIA_TYPE,
    ContactCard,
    CsvFlavour,
    VCardVersion,
    card_qr_svg,
    card_qr_text,
    content_disposition,
    csv_filename,
    render_csv,
    render_vcards,
    vcard_filename,
)

VERSIONS: tuple[VCardVersion, ...] = ("3.0", "4.0")
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 3 + b"\xff\xd9"  # JPEG-framed test bytes
TRICKY_NOTE = "Line 1\nLine 2, with comma; semicolon \\ backslash\n\nMet at booth #3 🎉 — à bientôt"


def tricky_card(**overrides: object) -> ContactCard:
    values: dict[str, object] = dict(
        full_name="Zoë Ñúñez-Éloïse",
        uid="attendee-42",
        org="Acme, Inc.; R&D \\ Labs",
        title='Head of DevOps, EMEA; "Platform"',
        emails=["zoe@example.com", "z.nunez+couloir@example.org"],
        phones=["+33 6 12 34 56 78", "+1 (555) 010-9999"],
        urls=["https://zoe.example/", "https://example.org/p?a=1,2;x=\\y"],
        photo_jpeg=PHOTO,
        categories=["DevOps Days, Paris", "Speakers; 2025", "back\\slash"],
        note=TRICKY_NOTE,
        revision=datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC),
    )
    values.update(overrides)
    return ContactCard(**values)  # type: ignore[arg-type]


def parse(text: str) -> list[vobject.base.Component]:
    return list(vobject.readComponents(text))


def raw_values(text: str, name: str) -> list[str]:
    """Still-encoded values of `name` lines, unfolded by vobject's line parser."""
    lines = (textLineToContentLine(line, n) for line, n in getLogicalLines(io.StringIO(text), allowQP=False))
    return [line.value for line in lines if line.name == name]


def physical_lines(text: str) -> list[bytes]:
    data = text.encode("utf-8")
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def assert_wire_format(text: str) -> None:
    """CRLF everywhere, <= 75 octets per line, each line valid UTF-8 alone."""
    lines = physical_lines(text)
    for line in lines:
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75, (len(line), line)
        line.decode("utf-8")  # raises if a multi-byte character was split


def values_of(component: vobject.base.Component, name: str) -> list[object]:
    return [line.value for line in component.contents.get(name, [])]


# --- vCard round trips --------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_tricky_card_round_trips_field_by_field(version: VCardVersion) -> None:
    card = tricky_card()
    text = render_vcards([card], version)
    assert_wire_format(text)
    [parsed] = parse(text)

    assert parsed.version.value == version
    assert parsed.fn.value == "Zoë Ñúñez-Éloïse"
    assert parsed.n.value.family == "Ñúñez-Éloïse"
    assert parsed.n.value.given == "Zoë"
    assert parsed.org.value == ["Acme, Inc.; R&D \\ Labs"]
    assert parsed.title.value == 'Head of DevOps, EMEA; "Platform"'
    assert values_of(parsed, "email") == card.emails
    assert values_of(parsed, "tel") == card.phones
    # A URI is written as given. vobject reads URL as TEXT and would cut it at the comma: its raw value is
    # checked here, and ical.js reads it as the URI it is (test_ical_js_reads_what_was_written).
    assert raw_values(text, "URL") == card.urls
    assert parsed.categories.value == ["DevOps Days, Paris", "Speakers; 2025", "back\\slash"]
    assert parsed.note.value == TRICKY_NOTE
    assert parsed.uid.value == "attendee-42"
    if version == "3.0":
        assert parsed.rev.value == "2025-03-14T09:26:53Z"
        assert parsed.photo.value == PHOTO
        assert parsed.photo.params == {"ENCODING": ["b"], "TYPE": ["JPEG"]}
    else:
        assert parsed.rev.value == "20250314T092653Z"
        [photo] = raw_values(text, "PHOTO")
        prefix, _, payload = photo.partition(",")
        assert prefix == "data:image/jpeg;base64"
        assert base64.b64decode(payload, validate=True) == PHOTO


@pytest.mark.parametrize("version", VERSIONS)
def test_property_parameters(version: VCardVersion) -> None:
    [parsed] = parse(render_vcards([tricky_card()], version))
    tel_types = [line.params.get("TYPE") for line in parsed.contents["tel"]]
    email_types = [line.params.get("TYPE") for line in parsed.contents["email"]]
    if version == "3.0":
        assert tel_types == [["CELL"], ["CELL"]]
        assert email_types == [["INTERNET"], ["INTERNET"]]
    else:
        assert tel_types == [["cell"], ["cell"]]
        assert email_types == [None, None]
        assert parsed.uid.params == {"VALUE": ["text"]}


@pytest.mark.parametrize("version", VERSIONS)
def test_escaping_on_the_wire(version: VCardVersion) -> None:
    text = render_vcards([tricky_card()], version)
    unfolded = text.replace("\r\n ", "")
    # Both versions escape ';' inside a component of a structured value (N, ORG).
    assert "\r\nN:Ñúñez-Éloïse;Zoë;;;\r\n" in unfolded
    assert "\r\nORG:Acme\\, Inc.\\; R&D \\\\ Labs\r\n" in unfolded
    # 3.0 escapes ';' in every text value; 4.0 nowhere else (RFC 6350 §3.4).
    semicolon = "\\;" if version == "3.0" else ";"
    assert f'\r\nTITLE:Head of DevOps\\, EMEA{semicolon} "Platform"\r\n' in unfolded
    assert f"\r\nCATEGORIES:DevOps Days\\, Paris,Speakers{semicolon} 2025,back\\\\slash\r\n" in unfolded
    assert f"\r\nNOTE:Line 1\\nLine 2\\, with comma{semicolon} semicolon \\\\ backslash\\n\\nMet" in unfolded
    assert "\r\nURL:https://example.org/p?a=1,2;x=\\y\r\n" in unfolded


@pytest.mark.parametrize("version", VERSIONS)
def test_structured_name_components_are_escaped(version: VCardVersion) -> None:
    card = tricky_card(given_name='Jean; "JJ", Jr', family_name="O'Neil\\Smith, II")
    [parsed] = parse(render_vcards([card], version))
    assert parsed.n.value.given == 'Jean; "JJ", Jr'
    assert parsed.n.value.family == "O'Neil\\Smith, II"
    assert parsed.fn.value == "Zoë Ñúñez-Éloïse"


@pytest.mark.parametrize("version", VERSIONS)
def test_several_cards_in_one_file(version: VCardVersion) -> None:
    cards = [
        tricky_card(),
        ContactCard(full_name="Bo", uid="b"),
        tricky_card(full_name="Ana María de la Cruz", uid="c", photo_jpeg=None, note="ciao"),
    ]
    text = render_vcards(cards, version)
    assert_wire_format(text)
    parsed = parse(text)
    assert [c.uid.value for c in parsed] == ["attendee-42", "b", "c"]
    assert [c.fn.value for c in parsed] == ["Zoë Ñúñez-Éloïse", "Bo", "Ana María de la Cruz"]
    assert [c.version.value for c in parsed] == [version] * 3
    assert parsed[2].note.value == "ciao"
    assert text.count("BEGIN:VCARD\r\n") == 3 and text.count("END:VCARD\r\n") == 3


@pytest.mark.parametrize("version", VERSIONS)
def test_empty_fields_are_omitted(version: VCardVersion) -> None:
    card = ContactCard(
        full_name="Bo",
        uid="b",
        org="   ",
        title="",
        emails=["", "  "],
        phones=[""],
        urls=[" "],
        photo_jpeg=b"",
        categories=["", " "],
        note="\x00",  # nothing left once control characters are dropped
    )
    text = render_vcards([card], version)
    names = [line.split(b":")[0].split(b";")[0] for line in physical_lines(text)]
    assert names == [b"BEGIN", b"VERSION", b"PRODID", b"UID", b"FN", b"N", b"END"]
    [parsed] = parse(text)
    assert parsed.n.value.given == "Bo" and parsed.n.value.family == ""


def test_empty_input_renders_empty_document() -> None:
    assert render_vcards([]) == ""


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("pad", range(62, 76))
def test_emoji_at_the_75_octet_boundary(version: VCardVersion, pad: int) -> None:
    # "NOTE:" is 5 octets, so pad 67..70 makes the 4-octet emoji straddle octet 75.
    note = "a" * pad + "🎉" + "b" * 70 + "😀" + "ü" * 40
    text = render_vcards([tricky_card(note=note)], version)
    assert_wire_format(text)
    assert parse(text)[0].note.value == note


def test_fold_backs_off_before_a_split_emoji() -> None:
    text = render_vcards([ContactCard(full_name="Bo", uid="b", note="a" * 68 + "🎉" + "z")])
    note_lines = [line for line in physical_lines(text) if line.startswith(b"NOTE:")]
    # Octets 74..77 would hold the emoji: the line ends at 73 and the emoji moves on.
    assert note_lines == [b"NOTE:" + b"a" * 68]
    assert b"\r\n \xf0\x9f\x8e\x89z\r\n" in text.encode("utf-8")


@pytest.mark.parametrize("version", VERSIONS)
def test_very_long_note(version: VCardVersion) -> None:
    note = ("Ünïcödé, ; \\ line\n🎉 " * 300)[:5000]
    assert len(note) == 5000
    text = render_vcards([tricky_card(note=note)], version)
    assert_wire_format(text)
    assert len(physical_lines(text)) > 100
    assert parse(text)[0].note.value == note


@pytest.mark.parametrize("version", VERSIONS)
def test_line_breaks_normalised_and_controls_dropped(version: VCardVersion) -> None:
    card = tricky_card(note="a\r\nb\rc\x00d\x1be\tf\x85g")
    [parsed] = parse(render_vcards([card], version))
    assert parsed.note.value == "a\nb\ncde\tfg"


@pytest.mark.parametrize(
    ("full_name", "family", "given"),
    [
        ("Zoë Ñúñez-Éloïse", "Ñúñez-Éloïse", "Zoë"),
        ("Mary Jane Watson", "Watson", "Mary Jane"),
        ("Ludwig van Beethoven", "van Beethoven", "Ludwig"),
        ("Ana María de la Cruz", "de la Cruz", "Ana María"),
        ("Cher", "", "Cher"),
        ("  bell   hooks ", "hooks", "bell"),
    ],
)
def test_n_is_derived_from_full_name(full_name: str, family: str, given: str) -> None:
    [parsed] = parse(render_vcards([ContactCard(full_name=full_name, uid="x")]))
    assert (parsed.n.value.family, parsed.n.value.given) == (family, given)


def test_explicit_name_parts_win() -> None:
    card = ContactCard(full_name="Dr Zoë N.", uid="x", given_name="Zoë", family_name="Ñúñez")
    [parsed] = parse(render_vcards([card]))
    assert (parsed.n.value.family, parsed.n.value.given) == ("Ñúñez", "Zoë")


def test_revision_is_written_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    aware = ContactCard(full_name="Bo", uid="b", revision=datetime(2025, 6, 1, 12, 0, tzinfo=paris))
    naive = ContactCard(full_name="Bo", uid="b", revision=datetime(2025, 6, 1, 12, 0))
    assert "REV:2025-06-01T10:00:00Z\r\n" in render_vcards([aware])
    assert "REV:20250601T100000Z\r\n" in render_vcards([aware], "4.0")
    assert "REV:2025-06-01T12:00:00Z\r\n" in render_vcards([naive])


def test_full_name_is_required() -> None:
    with pytest.raises(ValueError, match="full_name"):
        render_vcards([ContactCard(full_name=" \n ", uid="x")])


def test_unknown_version_is_rejected() -> None:
    with pytest.raises(ValueError):
        render_vcards([tricky_card()], "2.1")  # type: ignore[arg-type]


# Everything vobject can carry in a TEXT value: no control characters (not
# representable in vCard; the encoder drops them) and no surrogates (not
# encodable in UTF-8). LF and TAB are put back explicitly, together with the
# characters escaping is about and a literal backslash-n.
vcard_text = st.lists(
    st.one_of(
        st.characters(exclude_categories=("Cc", "Cs")),
        st.sampled_from(["\n", "\t", ",", ";", ":", "\\", "\\n", " ", "🎉", "é"]),
    ),
    max_size=300,
).map("".join)


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=150, deadline=None)
@given(name=vcard_text.filter(str.strip), org=vcard_text, note=vcard_text)
def test_random_text_round_trips_exactly(version: VCardVersion, name: str, org: str, note: str) -> None:
    card = ContactCard(full_name=name, uid="u", org=org, note=note)
    text = render_vcards([card], version)
    assert_wire_format(text)
    [parsed] = parse(text)
    assert parsed.fn.value == name
    # Blank values are omitted by design, everything else must come back verbatim.
    if org.strip():
        assert parsed.org.value == [org]
    else:
        assert "org" not in parsed.contents
    if note.strip():
        assert parsed.note.value == note
    else:
        assert "note" not in parsed.contents


READ_VCARDS = Path(__file__).resolve().parents[1] / "pwa" / "scripts" / "read_vcards.mjs"


def read_with_ical_js(text: str) -> list[dict[str, list]]:
    """Each card's properties as Mozilla's ical.js reads them: a parser Couloir does not write with."""
    if not (READ_VCARDS.parent.parent / "node_modules" / "ical.js").exists():
        pytest.fail("ical.js is not installed: run `npm ci` in pwa/")
    result = subprocess.run(["node", str(READ_VCARDS)], input=text, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_ical_js_reads_what_was_written() -> None:
    card = tricky_card(photo_jpeg=None, title="Zoë d'Arc-Müller; Jr.", note="a; b, c\\n")
    [v4] = read_with_ical_js(render_vcards([card], "4.0"))
    assert v4["fn"] == ["Zoë Ñúñez-Éloïse"]
    assert v4["n"] == [["Ñúñez-Éloïse", "Zoë", "", "", ""]]
    assert v4["org"] == ["Acme, Inc.; R&D \\ Labs"]
    assert v4["title"] == ["Zoë d'Arc-Müller; Jr."]
    assert v4["note"] == ["a; b, c\\n"]
    assert v4["categories"] == [["DevOps Days, Paris", "Speakers; 2025", "back\\slash"]]
    # ical.js reads 3.0 with 4.0's rules for ';' (it keeps '\\;' in TEXT, which RFC 2426 asks writers to
    # put there): vobject checks 3.0's text above; ical.js checks what both versions share, the URIs.
    for version in VERSIONS:
        [parsed] = read_with_ical_js(render_vcards([card], version))
        assert parsed["url"] == ["https://zoe.example/", "https://example.org/p?a=1,2;x=\\y"]
        assert parsed["tel"] == card.phones and parsed["email"] == card.emails


@settings(max_examples=1, deadline=None)
@given(cards=st.lists(st.tuples(vcard_text.filter(str.strip), vcard_text, vcard_text), min_size=40, max_size=40))
def test_random_text_round_trips_exactly_through_ical_js_in_4_0(cards: list[tuple[str, str, str]]) -> None:
    # One file of many cards: one node process reads them all.
    written = [
        ContactCard(full_name=name, uid=f"u{i}", title=title, note=note) for i, (name, title, note) in enumerate(cards)
    ]
    parsed = read_with_ical_js(render_vcards(written, "4.0"))
    for card, read in zip(written, parsed, strict=True):
        assert read["fn"] == [card.full_name]
        assert read.get("title") == ([card.title] if card.title.strip() else None)
        assert read.get("note") == ([card.note] if card.note.strip() else None)


def test_media_type() -> None:
    assert VCARD_MEDIA_TYPE == "text/vcard; charset=utf-8"
    assert CSV_MEDIA_TYPE == "text/csv; charset=utf-8"


# --- download names -----------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("DevOps Days", "couloir-contacts-devops-days.vcf"),
        ("Journées DevOps — Lyon 2025!", "couloir-contacts-journees-devops-lyon-2025.vcf"),
        ("../../etc/passwd", "couloir-contacts-etc-passwd.vcf"),
        ('a"b\\c\r\nd', "couloir-contacts-a-b-c-d.vcf"),
        ("東京", "couloir-contacts.vcf"),
        ("", "couloir-contacts.vcf"),
    ],
)
def test_vcard_filename(label: str, expected: str) -> None:
    assert vcard_filename(label) == expected


def test_filename_is_bounded() -> None:
    name = vcard_filename("x" * 500)
    assert len(name) < 100 and name.endswith(".vcf")
    assert csv_filename("DevOps Days") == "couloir-contacts-devops-days.csv"


def test_content_disposition_ascii_label() -> None:
    assert content_disposition("DevOps Days") == 'attachment; filename="couloir-contacts-devops-days.vcf"'


@pytest.mark.parametrize(
    ("label", "utf8_name"),
    [
        ("Journées DevOps", "couloir-contacts-journées-devops.vcf"),
        ("東京 Summit", "couloir-contacts-東京-summit.vcf"),
        ("Journe\u0301es", "couloir-contacts-journées.vcf"),  # decomposed input comes out NFC
    ],
)
def test_content_disposition_utf8_label(label: str, utf8_name: str) -> None:
    header = content_disposition(label, "csv")
    header.encode("ascii")  # header values must stay ASCII
    fallback, extended = header.split("; filename*=")
    assert fallback == f'attachment; filename="{csv_filename(label)}"'
    assert extended.startswith("UTF-8''")
    assert unquote(extended.removeprefix("UTF-8''"), encoding="utf-8") == utf8_name.replace(".vcf", ".csv")


# --- CSV ----------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    # Decode the way an importer would: the BOM, if any, is not part of the data.
    decoded = text.encode("utf-8").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(decoded, newline="")))


def test_google_csv_headers_and_values() -> None:
    text = render_csv([tricky_card(), ContactCard(full_name="Bo", uid="b")], "google")
    assert not text.startswith("\ufeff")
    assert text.endswith("\r\n")
    header = next(csv.reader(io.StringIO(text, newline="")))
    assert header == [
        "First Name", "Last Name", "Organization Name", "Organization Title", "Notes", "Labels",
        "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value",
        "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value",
        "Website 1 - Label", "Website 1 - Value", "Website 2 - Label", "Website 2 - Value",
    ]  # fmt: skip
    zoe, bo = read_csv(text)
    assert zoe["First Name"] == "Zoë" and zoe["Last Name"] == "Ñúñez-Éloïse"
    assert zoe["Organization Name"] == "Acme, Inc.; R&D \\ Labs"
    assert zoe["Organization Title"] == 'Head of DevOps, EMEA; "Platform"'
    assert zoe["Notes"] == TRICKY_NOTE
    assert zoe["Labels"] == "DevOps Days, Paris ::: Speakers; 2025 ::: back\\slash"
    assert [zoe["E-mail 1 - Value"], zoe["E-mail 2 - Value"]] == tricky_card().emails
    assert [zoe["Phone 1 - Value"], zoe["Phone 2 - Value"]] == tricky_card().phones
    assert zoe["Phone 1 - Label"] == "Mobile"
    assert zoe["Website 2 - Value"] == "https://example.org/p?a=1,2;x=\\y"
    assert bo["First Name"] == "Bo" and bo["E-mail 1 - Value"] == "" and bo["Phone 1 - Label"] == ""


def test_outlook_csv_headers_values_and_bom() -> None:
    many = tricky_card(
        emails=["a@x.io", "b@x.io", "c@x.io", "d@x.io"],
        phones=["+33 1", "+33 2", "+33 3"],
        urls=["https://one.example", "https://two.example"],
    )
    text = render_csv([many], "outlook")
    assert text.startswith("\ufeff")
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    [row] = read_csv(text)
    assert list(row) == [
        "Title", "First Name", "Last Name", "Company", "Job Title", "E-mail Address", "E-mail 2 Address",
        "E-mail 3 Address", "Mobile Phone", "Other Phone", "Web Page", "Categories", "Notes",
    ]  # fmt: skip
    assert row["First Name"] == "Zoë" and row["Last Name"] == "Ñúñez-Éloïse"
    assert row["Company"] == "Acme, Inc.; R&D \\ Labs"
    assert row["Job Title"] == 'Head of DevOps, EMEA; "Platform"'
    emails = [row["E-mail Address"], row["E-mail 2 Address"], row["E-mail 3 Address"]]
    assert emails == ["a@x.io", "b@x.io", "c@x.io"]
    assert [row["Mobile Phone"], row["Other Phone"]] == ["+33 1", "+33 2"]
    assert row["Web Page"] == "https://one.example"
    assert row["Categories"] == "DevOps Days, Paris;Speakers, 2025;back\\slash"
    # What Outlook has no slot for is kept in Notes instead of being dropped.
    assert row["Notes"] == TRICKY_NOTE + "\nd@x.io\n+33 3\nhttps://two.example"


@pytest.mark.parametrize("flavour", ["google", "outlook"])
def test_csv_formula_injection_guard(flavour: CsvFlavour) -> None:
    card = ContactCard(
        full_name='=HYPERLINK("http://evil.example","x") Smith',
        given_name='=HYPERLINK("http://evil.example","x")',
        family_name="+cmd|' /C calc'!A0",
        uid="x",
        org="-2+SUM(A1)",
        title="@SUM(A1:A9)",
        note="\t=1+1",
        emails=["=1+1@x.io"],
        phones=["+33 6 12 34 56 78", "+1 =cmd|' /C calc'!A0"],
        categories=["=evil"],
    )
    [row] = read_csv(render_csv([card], flavour))
    first, last = row["First Name"], row["Last Name"]
    assert first == '\'=HYPERLINK("http://evil.example","x")'
    assert last == "'+cmd|' /C calc'!A0"
    google = flavour == "google"
    company, job = ("Organization Name", "Organization Title") if google else ("Company", "Job Title")
    assert row[company] == "'-2+SUM(A1)"
    assert row[job] == "'@SUM(A1:A9)"
    assert row["Notes"].startswith("'\t=1+1")  # some importers strip the tab, then see "="
    email = row["E-mail 1 - Value"] if google else row["E-mail Address"]
    assert email == "'=1+1@x.io"
    phones = [row["Phone 1 - Value"], row["Phone 2 - Value"]] if google else [row["Mobile Phone"], row["Other Phone"]]
    # A plain international number stays importable; one hiding a payload does not pass.
    assert phones == ["+33 6 12 34 56 78", "'+1 =cmd|' /C calc'!A0"]
    labels = row["Labels"] if google else row["Categories"]
    assert labels == "'=evil"


@pytest.mark.parametrize("flavour", ["google", "outlook"])
def test_csv_keeps_names_and_numbers_that_no_spreadsheet_runs(flavour: CsvFlavour) -> None:
    card = ContactCard(
        full_name="-Jean Dupont",
        given_name="-Jean",
        family_name="@Dupont",
        uid="x",
        org="@Home",
        title="- co-founder, +10 years",
        note="+1 for the talk",
        phones=["+33 6 12 34 56 78", "+1 (555) 010-0199"],
        categories=["@lyon", "-5"],
    )
    [row] = read_csv(render_csv([card], flavour))
    google = flavour == "google"
    company, job = ("Organization Name", "Organization Title") if google else ("Company", "Job Title")
    assert (row["First Name"], row["Last Name"], row[company], row[job]) == (
        "-Jean",
        "@Dupont",
        "@Home",
        "- co-founder, +10 years",
    )
    assert row["Notes"] == "+1 for the talk"
    phones = [row["Phone 1 - Value"], row["Phone 2 - Value"]] if google else [row["Mobile Phone"], row["Other Phone"]]
    assert phones == ["+33 6 12 34 56 78", "+1 (555) 010-0199"]
    assert (row["Labels"] if google else row["Categories"]) == ("@lyon ::: -5" if google else "@lyon;-5")


def test_csv_unknown_flavour_is_rejected() -> None:
    with pytest.raises(ValueError):
        render_csv([tricky_card()], "excel")  # type: ignore[arg-type]


# --- card QR ------------------------------------------------------------------


def test_card_qr_text_is_a_compact_vcard() -> None:
    text = card_qr_text(tricky_card())
    [parsed] = parse(text)
    assert parsed.version.value == "3.0"
    assert parsed.fn.value == "Zoë Ñúñez-Éloïse"
    assert parsed.n.value.family == "Ñúñez-Éloïse"
    assert parsed.org.value == ["Acme, Inc.; R&D \\ Labs"]
    assert values_of(parsed, "tel") == ["+33 6 12 34 56 78"]
    assert values_of(parsed, "email") == ["zoe@example.com"]
    assert values_of(parsed, "url") == ["https://zoe.example/"]
    for absent in ("photo", "note", "categories", "uid", "rev", "prodid"):
        assert absent not in parsed.contents
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert len(text.encode("utf-8")) < 300


def test_card_qr_caps_pathological_values() -> None:
    card = tricky_card(
        full_name="🎉," * 500,
        org="Ω;" * 500,
        title="x" * 5000,
        emails=["a" * 300 + "@example.com", "short@example.com"],
        urls=["https://example.com/" + "p" * 500],
    )
    text = card_qr_text(card)
    [parsed] = parse(text)
    # 25 x 5 octets, then the next emoji would straddle octet 128: it is dropped whole.
    assert parsed.fn.value == "🎉," * 25
    assert values_of(parsed, "email") == ["short@example.com"]
    assert "url" not in parsed.contents
    assert card_qr_svg(card).startswith("<svg")


def test_card_qr_svg() -> None:
    card = tricky_card()
    svg = card_qr_svg(card, scale=4)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    width, height = int(root.get("width", "0")), int(root.get("height", "0"))
    assert width == height
    modules = width // 4 - 2 * 4  # minus the 4-module quiet zone on each side
    assert modules >= 21 and (modules - 17) % 4 == 0  # a valid (non-micro) QR size
    qr = segno.make(card_qr_text(card), error="m", micro=False, encoding="utf-8")
    assert qr.error in ("M", "Q", "H")
    assert qr.symbol_size(scale=4, border=4) == (width, height)
    assert 'fill="#fff"' in svg  # opaque light background, quiet zone included
