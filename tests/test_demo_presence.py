"""The demo's hallway: a newcomer who checks in at the coffee bar meets real people at once."""

from sqlalchemy import func
from sqlmodel import select

from api.attendees.models import Attendee
from api.core.db import utcnow
from api.demo import CROWD_ZONES, build_demo
from api.events.models import Event, Zone
from api.presence.models import Presence, PresenceTopic
from tests import factories as f


def test_a_newcomer_at_the_demo_coffee_bar_gets_suggestions_at_once(srv, db):
    summary = build_demo(db, srv.settings)
    db.commit()
    assert f"{len(CROWD_ZONES)} of them are checked in and visible" in summary
    event = db.exec(select(Event)).one()
    coffee = db.exec(select(Zone).where(Zone.event_id == event.id, Zone.kind == "coffee")).one()

    joined = f.join(srv, event.join_code, "Newcomer")
    token = joined["tokens"]["access_token"]
    f.update_me(srv, token, interests=["observabilité", "k8s", "SRE"], visible=True, language="en")
    assert f.check_in(srv, token, code=coffee.code).status_code == 201
    result = f.suggestions(srv, token)
    assert len(result["suggestions"]) == 5
    assert all(s["reason"] and s["icebreaker"] for s in result["suggestions"])
    assert result["huddles"], "the coffee bar crowd shares popular topics"


def test_the_demo_crowd_is_rebuilt_not_duplicated(srv, db):
    build_demo(db, srv.settings)
    db.commit()
    first = (
        db.exec(select(func.count()).select_from(Presence)).one(),
        db.exec(select(func.count()).select_from(PresenceTopic)).one(),
    )
    build_demo(db, srv.settings)
    db.commit()
    again = (
        db.exec(select(func.count()).select_from(Presence)).one(),
        db.exec(select(func.count()).select_from(PresenceTopic)).one(),
    )
    assert first == again and first[0] == len(CROWD_ZONES)
    assert db.exec(select(func.count()).select_from(Attendee).where(Attendee.visible)).one() == len(CROWD_ZONES)
    assert all(p.expires_at > utcnow() for p in db.exec(select(Presence)))
