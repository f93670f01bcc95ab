"""Rendezvous: "see you at the coffee bar, next break". Proposed to someone one may be shown, answered by
accepting, declining or proposing another break or zone; either side may cancel; "we met" closes it. The caller
commits.

Rules kept here:
- Only someone the visibility rule shows (api/attendees/visibility.py) can be asked; once asked, the two are tied
  as a contact request ties them, so each side can read the other's card while it is open.
- A person holds at most one agreed rendezvous per break (`RendezvousPlace`), and has at most one proposal of
  their own waiting for an answer per break.
- A pair has at most one open rendezvous per break: a proposal meeting the other's proposal for the same break
  accepts it (same zone) or answers it with another zone. So two phones proposing to each other offline end
  with one rendezvous.
- Proposals waiting for strangers (people who are not contacts) are few at a time: `rendezvous_waiting_strangers`.
- A decline tells the proposer "not this time" and nothing else. Blocking erases every rendezvous of the pair.
"""

import secrets
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, delete, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.agenda.calendar import CalendarEntry
from api.agenda.models import AgendaBreak
from api.attendees.models import Attendee
from api.attendees.service import photo_url
from api.attendees.visibility import shown_attendee
from api.contacts.models import Contact
from api.core.config import Settings
from api.core.db import utcnow
from api.core.errors import Conflict, InvalidInput, NotFound
from api.core.privacy import masked_count
from api.events.models import Event, Zone
from api.rendezvous.models import OPEN_STATES, Rendezvous, RendezvousPlace
from api.rendezvous.schemas import (
    BreakRef,
    CounterProposal,
    PlaceRef,
    RendezvousCreate,
    RendezvousFigures,
    RendezvousPerson,
    RendezvousPublic,
    RendezvousState,
)

UNKNOWN_RENDEZVOUS = "No such rendezvous"


class AlreadyBusy(Conflict):
    default_detail = "You already have a rendezvous at this break: cancel it first, or choose another break"


class AlreadyProposed(Conflict):
    default_detail = "You already proposed a rendezvous at this break: cancel it first, or choose another break"


class TooManyWaiting(Conflict):
    default_detail = (
        "Too many of your proposals wait for an answer from people who are not your contacts yet: "
        "wait for an answer, or cancel one"
    )


# Reading -------------------------------------------------------------------------------------


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _of(attendee_id: int) -> ColumnElement[bool]:
    return or_(col(Rendezvous.first_id) == attendee_id, col(Rendezvous.second_id) == attendee_id)


def _mine(session: Session, me: Attendee, rendezvous_id: int) -> Rendezvous:
    """A rendezvous of mine, else NotFound as for an id that does not exist."""
    row = session.get(Rendezvous, rendezvous_id)
    if row is None or me.id not in (row.first_id, row.second_id):
        raise NotFound(UNKNOWN_RENDEZVOUS)
    return row


def _other_side(row: Rendezvous, me_id: int) -> int:
    return row.second_id if row.first_id == me_id else row.first_id


def _are_contacts(session: Session, a: int, b: int) -> bool:
    pair = or_(
        and_(col(Contact.owner_id) == a, col(Contact.other_attendee_id) == b),
        and_(col(Contact.owner_id) == b, col(Contact.other_attendee_id) == a),
    )
    return session.exec(select(Contact.id).where(pair).limit(1)).first() is not None


def state_seen(row: Rendezvous, slot: AgendaBreak, now: datetime) -> RendezvousState:
    if row.state in OPEN_STATES and slot.ends_at <= now:
        return RendezvousState.over
    return RendezvousState(row.state)


def public(session: Session, me: Attendee, row: Rendezvous, now: datetime | None = None) -> RendezvousPublic:
    now = now or utcnow()
    slot = session.get_one(AgendaBreak, row.break_id)
    zone = session.get_one(Zone, row.zone_id)
    other_id = _other_side(row, me.id)
    other = session.get_one(Attendee, other_id)
    return RendezvousPublic(
        id=row.id,
        state=state_seen(row, slot, now),
        person=RendezvousPerson(
            id=other.id,
            display_name=other.display_name,
            headline=other.headline,
            company=other.company,
            find_me_hint=other.find_me_hint,
            photo_url=photo_url(other.event_id, other.id, other.photo_etag),
        ),
        proposed_by_me=row.proposer_id == me.id,
        awaiting_my_answer=row.state == "proposed" and row.awaiting_id == me.id and slot.ends_at > now,
        at_break=BreakRef(id=slot.id, label=slot.label, starts_at=slot.starts_at, ends_at=slot.ends_at),
        zone=PlaceRef(id=zone.id, name=zone.name),
        message=row.message,
        is_contact=_are_contacts(session, me.id, other_id),
        updated_at=row.updated_at,
    )


def my_rendezvous(session: Session, me: Attendee) -> list[RendezvousPublic]:
    """Mine, by their break's start; declined ones only to their proposer (the one who is told "not this time")."""
    now = utcnow()
    rows = session.exec(
        select(Rendezvous)
        .join(AgendaBreak, col(AgendaBreak.id) == col(Rendezvous.break_id))
        .where(_of(me.id), or_(col(Rendezvous.state) != "declined", col(Rendezvous.proposer_id) == me.id))
        .order_by(col(AgendaBreak.starts_at), col(Rendezvous.id))
    ).all()
    return [public(session, me, row, now) for row in rows]


# Proposing ------------------------------------------------------------------------------------


def _open_between(session: Session, first: int, second: int, break_id: int) -> Rendezvous | None:
    """The pair's open rendezvous at this break, if any (there is at most one)."""
    return session.exec(
        select(Rendezvous).where(
            Rendezvous.first_id == first,
            Rendezvous.second_id == second,
            Rendezvous.break_id == break_id,
            col(Rendezvous.state).in_(OPEN_STATES),
        )
    ).first()


def _coming_break(session: Session, me: Attendee, break_id: int | None, now: datetime) -> AgendaBreak:
    if break_id is None:
        slot = session.exec(
            select(AgendaBreak)
            .where(AgendaBreak.event_id == me.event_id, AgendaBreak.starts_at <= now, AgendaBreak.ends_at > now)
            .order_by(col(AgendaBreak.ends_at).desc())
        ).first()
        if slot is None:
            raise InvalidInput("No break is under way: choose a coming break")
        return slot
    slot = session.get(AgendaBreak, break_id)
    if slot is None or slot.event_id != me.event_id:
        raise NotFound("No such break in this event")
    if slot.ends_at <= now:
        raise InvalidInput("This break is over: choose a coming break")
    return slot


def _zone(session: Session, me: Attendee, zone_id: int) -> Zone:
    zone = session.get(Zone, zone_id)
    if zone is None or zone.event_id != me.event_id:
        raise NotFound("No such zone in this event")
    return zone


def _holds_place(session: Session, attendee_id: int, break_id: int) -> bool:
    return session.get(RendezvousPlace, (attendee_id, break_id)) is not None


def _refuse_if_busy(session: Session, me: Attendee, slot: AgendaBreak, *, besides: int | None = None) -> None:
    """AlreadyBusy when I hold a place at this break; AlreadyProposed when another proposal of mine for it waits."""
    if _holds_place(session, me.id, slot.id):
        raise AlreadyBusy()
    waiting = select(Rendezvous.id).where(
        _of(me.id),
        Rendezvous.break_id == slot.id,
        Rendezvous.state == "proposed",
        Rendezvous.proposer_id == me.id,
    )
    if besides is not None:
        waiting = waiting.where(Rendezvous.id != besides)
    if session.exec(waiting.limit(1)).first() is not None:
        raise AlreadyProposed()


def _refuse_past_strangers_cap(session: Session, settings: Settings, me: Attendee, other: Attendee) -> None:
    if _are_contacts(session, me.id, other.id):
        return
    contacts = select(Contact.other_attendee_id).where(
        Contact.owner_id == me.id, col(Contact.other_attendee_id).isnot(None)
    )
    waiting = session.exec(
        select(func.count())
        .select_from(Rendezvous)
        .where(
            Rendezvous.state == "proposed",
            Rendezvous.proposer_id == me.id,
            col(Rendezvous.awaiting_id).notin_(contacts),
        )
    ).one()
    if waiting >= settings.rendezvous_waiting_strangers:
        raise TooManyWaiting()


def _changed(row: Rendezvous, now: datetime) -> None:
    row.sequence += 1
    row.updated_at = now


def propose(session: Session, settings: Settings, me: Attendee, data: RendezvousCreate) -> RendezvousPublic:
    if data.attendee_id == me.id:
        raise InvalidInput("You cannot propose a rendezvous to yourself")
    other = shown_attendee(session, me, data.attendee_id)
    now = utcnow()
    slot = _coming_break(session, me, data.break_id, now)
    zone = _zone(session, me, data.zone_id)
    first, second = _pair(me.id, other.id)
    existing = _open_between(session, first, second, slot.id)
    if existing is not None:
        return _meet_existing(session, me, existing, zone, data.message, now)
    declined = select(Rendezvous.id).where(
        Rendezvous.first_id == first,
        Rendezvous.second_id == second,
        Rendezvous.break_id == slot.id,
        Rendezvous.state == "declined",
        Rendezvous.proposer_id == me.id,
    )
    if session.exec(declined.limit(1)).first() is not None:
        raise Conflict("Not this time: they cannot meet you at this break")
    _refuse_if_busy(session, me, slot)
    _refuse_past_strangers_cap(session, settings, me, other)
    row = Rendezvous(
        event_id=me.event_id,
        first_id=first,
        second_id=second,
        proposer_id=me.id,
        awaiting_id=other.id,
        break_id=slot.id,
        zone_id=zone.id,
        message=data.message,
        uid=f"{secrets.token_hex(16)}@rendezvous.couloir",
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # The other's proposal for this break was written meanwhile: meet it.
        session.expunge(row)
        crossing = _open_between(session, first, second, slot.id)
        assert crossing is not None  # the row the unique index found
        return _meet_existing(session, me, crossing, zone, data.message, now)
    return public(session, me, row, now)


def _meet_existing(
    session: Session, me: Attendee, row: Rendezvous, zone: Zone, message: str, now: datetime
) -> RendezvousPublic:
    """A proposal to someone with whom a rendezvous at this break is already open."""
    if row.state == "accepted" or (row.proposer_id == me.id and row.zone_id == zone.id and row.message == message):
        return public(session, me, row, now)  # nothing new: asking twice changes nothing
    if row.proposer_id == me.id:  # my own proposal, changed before any answer
        row.zone_id, row.message = zone.id, message
        _changed(row, now)
        session.add(row)
        session.flush()
        return public(session, me, row, now)
    # Theirs, waiting for me: the same zone is a yes, another zone an answer with it.
    if row.zone_id == zone.id:
        return _accept(session, me, row, now)
    slot = session.get_one(AgendaBreak, row.break_id)
    _refuse_if_busy(session, me, slot, besides=row.id)
    row.zone_id, row.message, row.proposer_id, row.awaiting_id = zone.id, message, me.id, _other_side(row, me.id)
    _changed(row, now)
    session.add(row)
    session.flush()
    return public(session, me, row, now)


# Answering ------------------------------------------------------------------------------------


def _waiting_for_me(session: Session, me: Attendee, rendezvous_id: int, now: datetime) -> Rendezvous:
    row = _mine(session, me, rendezvous_id)
    slot = session.get_one(AgendaBreak, row.break_id)
    if row.state != "proposed" or row.awaiting_id != me.id or slot.ends_at <= now:
        raise Conflict("This rendezvous is not waiting for your answer")
    return row


def accept(session: Session, me: Attendee, rendezvous_id: int) -> RendezvousPublic:
    now = utcnow()
    row = _mine(session, me, rendezvous_id)
    if row.state == "accepted":
        return public(session, me, row, now)
    return _accept(session, me, _waiting_for_me(session, me, rendezvous_id, now), now)


def _accept(session: Session, me: Attendee, row: Rendezvous, now: datetime) -> RendezvousPublic:
    other_id = _other_side(row, me.id)
    if _holds_place(session, me.id, row.break_id):
        raise AlreadyBusy()
    try:
        with session.begin_nested():
            session.add_all(
                [
                    RendezvousPlace(attendee_id=me.id, break_id=row.break_id, rendezvous_id=row.id),
                    RendezvousPlace(attendee_id=other_id, break_id=row.break_id, rendezvous_id=row.id),
                ]
            )
            session.flush()
    except IntegrityError:
        if _holds_place(session, me.id, row.break_id):
            raise AlreadyBusy() from None
        raise Conflict("They can no longer meet at this break: propose another one") from None
    row.state, row.accepted_at = "accepted", now
    _changed(row, now)
    session.add(row)
    # Agreed: the proposals either of us still had waiting for this break are withdrawn.
    session.execute(
        update(Rendezvous)
        .where(
            col(Rendezvous.break_id) == row.break_id,
            col(Rendezvous.state) == "proposed",
            col(Rendezvous.id) != row.id,
            col(Rendezvous.proposer_id).in_([me.id, other_id]),
        )
        .values(state="cancelled", sequence=Rendezvous.sequence + 1, updated_at=now)
    )
    session.flush()
    return public(session, me, row, now)


def decline(session: Session, me: Attendee, rendezvous_id: int) -> RendezvousPublic:
    now = utcnow()
    row = _mine(session, me, rendezvous_id)
    if row.state == "declined" and row.awaiting_id == me.id:
        return public(session, me, row, now)
    row = _waiting_for_me(session, me, rendezvous_id, now)
    row.state = "declined"
    _changed(row, now)
    session.add(row)
    session.flush()
    return public(session, me, row, now)


def counter(session: Session, me: Attendee, rendezvous_id: int, data: CounterProposal) -> RendezvousPublic:
    """Another break or zone for a proposal waiting for me: it now waits for them."""
    now = utcnow()
    row = _waiting_for_me(session, me, rendezvous_id, now)
    slot = _coming_break(session, me, data.break_id, now)
    zone = _zone(session, me, data.zone_id)
    if slot.id == row.break_id and zone.id == row.zone_id:
        return _accept(session, me, row, now)
    _refuse_if_busy(session, me, slot, besides=row.id)
    if slot.id != row.break_id and _open_between(session, row.first_id, row.second_id, slot.id) is not None:
        raise Conflict("You already have a rendezvous with them at that break")
    row.break_id, row.zone_id, row.message = slot.id, zone.id, data.message
    row.proposer_id, row.awaiting_id = me.id, _other_side(row, me.id)
    _changed(row, now)
    session.add(row)
    session.flush()
    return public(session, me, row, now)


def cancel(session: Session, me: Attendee, rendezvous_id: int) -> RendezvousPublic:
    now = utcnow()
    row = _mine(session, me, rendezvous_id)
    if row.state == "cancelled":
        return public(session, me, row, now)
    slot = session.get_one(AgendaBreak, row.break_id)
    if row.state not in OPEN_STATES or slot.ends_at <= now:
        raise Conflict("This rendezvous can no longer be cancelled")
    row.state = "cancelled"
    _changed(row, now)
    session.add(row)
    session.execute(delete(RendezvousPlace).where(col(RendezvousPlace.rendezvous_id) == row.id))
    session.flush()
    return public(session, me, row, now)


def met(session: Session, me: Attendee, rendezvous_id: int) -> RendezvousPublic:
    """'We met': from the break's start on, by either side. Answers whether a contact exchange would be new."""
    now = utcnow()
    row = _mine(session, me, rendezvous_id)
    if row.state == "met":
        return public(session, me, row, now)
    slot = session.get_one(AgendaBreak, row.break_id)
    if row.state != "accepted":
        raise Conflict("Only an agreed rendezvous can be confirmed")
    if slot.starts_at > now:
        raise Conflict("This rendezvous has not started yet")
    row.state, row.met_at = "met", now
    _changed(row, now)
    session.add(row)
    session.flush()
    return public(session, me, row, now)


# Other domains ----------------------------------------------------------------------------------


def erase_between(session: Session, a: int, b: int) -> None:
    """A block ends everything the two had agreed or proposed (their places go with the rows)."""
    first, second = _pair(a, b)
    ids = select(Rendezvous.id).where(Rendezvous.first_id == first, Rendezvous.second_id == second)
    session.execute(delete(RendezvousPlace).where(col(RendezvousPlace.rendezvous_id).in_(ids)))
    session.execute(delete(Rendezvous).where(col(Rendezvous.first_id) == first, col(Rendezvous.second_id) == second))


def claim_reminders(session: Session, now: datetime) -> list[tuple[int, int, int, int]]:
    """Agreed rendezvous whose break is under way and not reminded yet, claimed (the caller commits before
    sending, so every replica's scheduler reminds each once): (first, second, zone, break) ids."""
    under_way = select(AgendaBreak.id).where(AgendaBreak.starts_at <= now, AgendaBreak.ends_at > now)
    return [
        tuple(row)
        for row in session.execute(
            update(Rendezvous)
            .where(
                col(Rendezvous.state) == "accepted",
                col(Rendezvous.reminded_at).is_(None),
                col(Rendezvous.break_id).in_(under_way),
            )
            .values(reminded_at=now)
            .returning(
                col(Rendezvous.first_id), col(Rendezvous.second_id), col(Rendezvous.zone_id), col(Rendezvous.break_id)
            )
        )
    ]


_CALENDAR_STATUS: dict[RendezvousState, Literal["CONFIRMED", "TENTATIVE", "CANCELLED"]] = {
    RendezvousState.proposed: "TENTATIVE",
    RendezvousState.accepted: "CONFIRMED",
    RendezvousState.met: "CONFIRMED",
    RendezvousState.over: "CONFIRMED",
    RendezvousState.declined: "CANCELLED",
    RendezvousState.cancelled: "CANCELLED",
}
_CALENDAR_WORDS = {
    "en": ("Rendezvous: {name}", "Proposed, waiting for an answer."),
    "fr": ("Rendez-vous : {name}", "Proposé, en attente de réponse."),
}


def calendar_entries(session: Session, me: Attendee, event: Event) -> list[CalendarEntry]:
    """My rendezvous as calendar entries: each keeps its row's UID, and its sequence counts the changes."""
    title, waiting = _CALENDAR_WORDS.get(me.language, _CALENDAR_WORDS["en"])
    entries = []
    for r in my_rendezvous(session, me):
        if r.state == RendezvousState.proposed and r.awaiting_my_answer:
            continue  # not mine to put in a calendar until I answer
        row = session.get_one(Rendezvous, r.id)
        note = waiting if r.state == RendezvousState.proposed else ""
        entries.append(
            CalendarEntry(
                uid=row.uid,
                starts_at=r.at_break.starts_at,
                ends_at=r.at_break.ends_at,
                summary=title.format(name=r.person.display_name),
                description="\n\n".join(part for part in (r.message, note) if part),
                location=", ".join((r.zone.name, event.name)),
                sequence=row.sequence,
                status=_CALENDAR_STATUS[r.state],
            )
        )
    return entries


def figures(session: Session, event_id: int) -> RendezvousFigures:
    proposed, accepted, met_count = session.exec(
        select(
            func.count(),
            func.count(col(Rendezvous.accepted_at)),
            func.count(col(Rendezvous.met_at)),
        ).where(Rendezvous.event_id == event_id)
    ).one()
    return RendezvousFigures(
        proposed=masked_count(proposed), accepted=masked_count(accepted), met=masked_count(met_count)
    )


def exported(session: Session, me: Attendee) -> list[dict[str, Any]]:
    """For the personal data export: mine, as I see them."""
    return [r.model_dump(mode="json") for r in my_rendezvous(session, me)]
