"""SQLite under a break's burst: many phones writing at once through the real server. SQLite takes one writer
at a time; the others must wait their turn inside the server, so no "database is locked" ever reaches a
phone, and every acknowledged write is there afterwards."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, func, select

from api.contacts.models import ContactRequest
from api.presence.models import CheckInRecord, Presence
from tests import factories

PHONES = 50
CHECK_INS_EACH = 3


def test_fifty_phones_checking_in_and_connecting_at_once_all_succeed(srv):
    if not srv.settings.is_sqlite:
        pytest.skip("SQLite's single writer is what this is about")
    place = factories.hallway(srv)
    with ThreadPoolExecutor(8) as pool:
        joined = list(pool.map(lambda i: factories.join(srv, place.event["join_code"], f"Phone {i}"), range(PHONES)))
    people = [(j["attendee"]["id"], j["tokens"]["access_token"]) for j in joined]
    # Visible, between the coffee bar and the buffet next door: each phone may be shown, so ask, the next.
    zones = [place.zones["coffee"]["checkin_url"], place.zones["buffet"]["checkin_url"]]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda person: factories.update_me(srv, person[1], visible=True), people))
        arrived = pool.map(lambda person: factories.check_in(srv, person[1], token=zones[0]).status_code, people)
        assert set(arrived) == {201}
    start = threading.Barrier(PHONES)

    def phone(index: int) -> list[tuple[str, int, str]]:
        me_id, token = people[index]
        other_id = people[(index + 1) % PHONES][0]
        answers = []
        with srv.client(token) as client:
            start.wait()  # all at once, as when a break starts
            for n in range(CHECK_INS_EACH):
                response = client.post(
                    "/api/me/check-ins",
                    json={"token": zones[(index + n) % 2]},
                    headers={"Idempotency-Key": factories.new_key()},
                )
                answers.append(("check-in", response.status_code, response.text))
            response = client.post(
                "/api/contact-requests",
                json={"to_attendee_id": other_id},
                headers={"Idempotency-Key": factories.new_key()},
            )
            answers.append(("contact request", response.status_code, response.text))
        return answers

    with ThreadPoolExecutor(PHONES) as pool:
        answers = [a for phone_answers in pool.map(phone, range(PHONES)) for a in phone_answers]

    failures = [a for a in answers if a[1] >= 300]
    assert failures == [], failures[:3]
    assert not any("locked" in text for _, _, text in answers)
    with Session(srv.engine) as db:
        assert db.exec(select(func.count()).select_from(CheckInRecord)).one() == PHONES * (CHECK_INS_EACH + 1)
        assert db.exec(select(func.count()).select_from(Presence)).one() == PHONES
        # Each phone asked the next one, so each pair asked both ways: those became contacts or wait, none lost.
        assert db.exec(select(func.count()).select_from(ContactRequest)).one() == PHONES
        last_zone = {p.attendee_id: p.zone_id for p in db.exec(select(Presence))}
    for index, (me_id, _) in enumerate(people):
        expected = place.zones[["coffee", "buffet"][(index + CHECK_INS_EACH - 1) % 2]]["id"]
        assert last_zone[me_id] == expected
