"""Saved people: a private "save for later" on someone seen nearby. Nobody but its owner ever learns of a save;
the saved person is shown only as the visibility rule (api/attendees/visibility.py) allows. The caller commits."""

from datetime import datetime

from sqlalchemy import and_, delete, func, or_
from sqlmodel import Session, col, select

from api.attendees.models import Attendee
from api.attendees.service import cards
from api.attendees.visibility import shown_attendee
from api.core.db import conflict_insert
from api.core.errors import InvalidInput, NotFound
from api.saved.models import SavedPerson
from api.saved.schemas import SavedPeople, SavedPublic

# A few dozen people is a day's hallway; the bound keeps the list (and each check of it) small.
MAX_SAVED = 200


def save(session: Session, me: Attendee, attendee_id: int) -> SavedPublic:
    """Save someone I may be shown now; saving again changes nothing. Anyone else reads as an unknown id."""
    if attendee_id == me.id:
        raise InvalidInput("You cannot save yourself")
    other = shown_attendee(session, me, attendee_id)
    saved = session.exec(select(func.count()).select_from(SavedPerson).where(SavedPerson.owner_id == me.id)).one()
    if saved >= MAX_SAVED:
        raise InvalidInput(f"You saved {MAX_SAVED} people already: forget some first")
    insert = conflict_insert(session.get_bind())
    session.execute(
        insert(SavedPerson).values(owner_id=me.id, saved_id=other.id, event_id=me.event_id).on_conflict_do_nothing()
    )
    row = session.exec(select(SavedPerson).where(SavedPerson.owner_id == me.id, SavedPerson.saved_id == other.id)).one()
    return SavedPublic(attendee=cards(session, [other])[0], saved_at=row.created_at)


def forget(session: Session, me: Attendee, attendee_id: int) -> None:
    """Drop my save of `attendee_id`, if I have one: the answer is the same either way."""
    session.execute(
        delete(SavedPerson).where(col(SavedPerson.owner_id) == me.id, col(SavedPerson.saved_id) == attendee_id)
    )


def forget_between(session: Session, a: int, b: int) -> None:
    """Drop saves either way between two attendees (a block)."""
    session.execute(
        delete(SavedPerson).where(
            or_(
                and_(col(SavedPerson.owner_id) == a, col(SavedPerson.saved_id) == b),
                and_(col(SavedPerson.owner_id) == b, col(SavedPerson.saved_id) == a),
            )
        )
    )


def my_saved(session: Session, me: Attendee) -> SavedPeople:
    rows = session.exec(
        select(SavedPerson.saved_id, SavedPerson.created_at)
        .where(SavedPerson.owner_id == me.id)
        .order_by(col(SavedPerson.created_at).desc(), col(SavedPerson.saved_id))
    ).all()
    shown: list[tuple[Attendee, datetime]] = []
    for saved_id, saved_at in rows:
        try:
            shown.append((shown_attendee(session, me, saved_id), saved_at))
        except NotFound:
            continue
    people = [
        SavedPublic(attendee=card, saved_at=saved_at)
        for card, (_, saved_at) in zip(cards(session, [a for a, _ in shown]), shown, strict=True)
    ]
    return SavedPeople(people=people, not_around=len(rows) - len(people))
