"""The phone writes the Google/Outlook CSV itself when offline (pwa/src/features/contacts/csv.ts). Both
writers are held to one fixture: the cards in csv-parity/cards.json rendered by the server's encoder must
be exactly the .csv files there, which the PWA's parity test (csv.test.ts) compares its own output with.

After a deliberate change to the server's CSV: `.venv/bin/python -m tests.test_csv_parity --write`."""

import json
import sys
from pathlib import Path

import pytest

from api.contacts.vcard import ContactCard, render_csv

PARITY = Path(__file__).resolve().parents[1] / "pwa" / "src" / "features" / "contacts" / "csv-parity"


def fixture_cards() -> list[ContactCard]:
    cards = json.loads((PARITY / "cards.json").read_text(encoding="utf-8"))
    return [
        ContactCard(
            uid=c["uid"],
            full_name=c["fullName"],
            org=c["org"],
            title=c["title"],
            emails=c["emails"],
            phones=c["phones"],
            urls=c["urls"],
            categories=c["categories"],
            note=c["note"],
        )
        for c in cards
    ]


@pytest.mark.parametrize("flavour", ["google", "outlook"])
def test_the_parity_fixture_is_what_the_server_exports(flavour):
    expected = render_csv(fixture_cards(), flavour).encode("utf-8")
    assert (PARITY / f"{flavour}.csv").read_bytes() == expected, "stale fixture: see this file's docstring"


def test_the_fixture_exercises_quoting_and_formula_escaping():
    google = render_csv(fixture_cards(), "google")
    assert '"Ops, ""Dev"" & more"' in google  # comma and quotes: quoted, quotes doubled
    assert "'=HYPERLINK" in google  # a formula is kept as text
    assert ",+33 6 12 34 56 78," in google  # an international number is left intact
    assert '"Met at the coffee bar.\nTalked' in google  # a line break stays inside its quoted cell


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    for flavour in ("google", "outlook"):
        (PARITY / f"{flavour}.csv").write_bytes(render_csv(fixture_cards(), flavour).encode("utf-8"))
