"""Attendees: joining an event, one's own profile, and the public card others see."""

from collections import defaultdict

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.attendees import photos
from api.attendees.models import Attendee, AttendeeInterest, AttendeePhoto
from api.attendees.schemas import (
    AttendeeCard,
    AttendeeListed,
    AttendeePrivate,
    InterestPublic,
    JoinRequest,
    ProfileUpdate,
    Role,
)
from api.core.db import utcnow
from api.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from api.events.models import Event, Topic
from api.events.service import event_by_join_code, fold, topic_vocabulary
from api.presence.service import mark_changed, refresh_presence


class InvitationOnly(Forbidden):
    default_detail = "This event is by invitation only: open the personal link you received by email or on your badge"


def join(session: Session, data: JoinRequest) -> Attendee:
    """A new attendee of the event the code opens. An email given here is not theirs yet: see `claimed_email`."""
    event = event_by_join_code(session, data.join_code)
    if event is None:
        raise NotFound("Unknown join code: check the code on your badge or at the venue")
    if event.invitation_only:
        raise InvitationOnly()
    if event.ends_at <= utcnow():
        raise Conflict("This event is over")
    attendee = Attendee(
        event_id=event.id,
        display_name=data.display_name,
        language=(data.language.value if data.language else _default_language(event)),
    )
    session.add(attendee)
    session.flush()
    return attendee


def _default_language(event: Event) -> str:
    return event.languages[0] if event.languages else "en"


# Emails -----------------------------------------------------------------------------------------
# An address someone types (at join, or in their profile) proves nothing: anyone could type anyone's, and
# answering "taken" would tell them who is here. It becomes the attendee's only once a link mailed to it is
# followed (api.auth.service.send_email_proof); until then the answer is the same whoever owns it.


def claimed_email(attendee: Attendee, email: str | None) -> str | None:
    """The address to mail a proof to, when `email` is a new one for `attendee`."""
    email = email.lower() if email else None
    return email if email and email != attendee.email else None


def email_owner(session: Session, event_id: int, email: str, except_id: int | None = None) -> Attendee | None:
    return session.exec(
        select(Attendee).where(Attendee.event_id == event_id, Attendee.email == email, Attendee.id != except_id)
    ).first()


def attach_proven_email(session: Session, attendee: Attendee, email: str) -> Attendee | None:
    """The owner of `email` followed the link mailed to it for `attendee`: the address is theirs now. Should
    another attendee of the event have proved it first, that account is the person's, and is the one returned."""
    owner = email_owner(session, attendee.event_id, email, except_id=attendee.id)
    if owner is not None:
        return owner
    try:
        with session.begin_nested():
            attendee.email = email
            session.add(attendee)
    except IntegrityError:  # proved for another attendee at the same moment
        return email_owner(session, attendee.event_id, email, except_id=attendee.id)
    return attendee


def update_profile(session: Session, attendee: Attendee, data: ProfileUpdate) -> Attendee:
    changes = data.changes()
    interests = changes.pop("interests", None)
    if changes.get("email") is not None:
        del changes["email"]  # a new address waits for its proof (`claimed_email`); clearing one is at once
    for enum_field in ("goals",):
        if enum_field in changes:
            changes[enum_field] = [g.value for g in changes[enum_field]]
    if "language" in changes:
        changes["language"] = changes["language"].value
    for name, value in changes.items():
        setattr(attendee, name, value)
    session.add(attendee)
    if interests is not None:
        set_interests(session, attendee, interests)
    session.flush()
    if data.model_fields_set:
        # Whatever changed, matching sees it at once: what they are matched on (visibility, interests, goals...)
        # and what a suggestion shows of them (their card), which answers remembered for others depend on.
        refresh_presence(session, attendee)
    return attendee


def vouch(session: Session, attendee: Attendee) -> None:
    """They signed in by a personal link (an invitation, or a sign-in link sent to their email): from now on
    they count in the figures attendees see (api/attendees/visibility.py)."""
    if attendee.vouched:
        return
    attendee.vouched = True
    session.add(attendee)
    session.flush()
    refresh_presence(session, attendee)  # present on another device: the crowd counts them at once


def set_interests(session: Session, attendee: Attendee, terms: list[str]) -> list[Topic]:
    """Map free text onto the event's topics (names and synonyms, any case or accents)."""
    vocabulary = topic_vocabulary(session, attendee.event_id)
    unknown = [term for term in terms if fold(term) not in vocabulary]
    if unknown:
        raise InvalidInput({"message": "Not topics of this event", "unknown_interests": unknown})
    topics = {vocabulary[fold(term)].id: vocabulary[fold(term)] for term in terms}
    session.execute(delete(AttendeeInterest).where(col(AttendeeInterest.attendee_id) == attendee.id))
    session.add_all(AttendeeInterest(attendee_id=attendee.id, topic_id=topic_id) for topic_id in topics)
    session.flush()
    return list(topics.values())


def interests_of(session: Session, attendee_ids: list[int]) -> dict[int, list[InterestPublic]]:
    out: dict[int, list[InterestPublic]] = defaultdict(list)
    if not attendee_ids:
        return out
    rows = session.exec(
        select(AttendeeInterest.attendee_id, Topic.id, Topic.name)
        .join(Topic, col(Topic.id) == col(AttendeeInterest.topic_id))
        .where(col(AttendeeInterest.attendee_id).in_(attendee_ids))
        .order_by(Topic.name)
    )
    for attendee_id, topic_id, name in rows:
        out[attendee_id].append(InterestPublic(id=topic_id, name=name))
    return out


def private_profile(session: Session, attendee: Attendee) -> AttendeePrivate:
    interests = interests_of(session, [attendee.id])[attendee.id]
    return AttendeePrivate(
        **attendee.model_dump(exclude={"created_at", "photo_etag"}),
        photo_url=photo_url(attendee.event_id, attendee.id, attendee.photo_etag),
        interests=interests,
    )


def photo_url(event_id: int, attendee_id: int, etag: str | None) -> str | None:
    """Where a card's photo is read (under the card's rule); a new photo is a new URL, so caches never mix."""
    return f"/api/events/{event_id}/attendees/{attendee_id}/photo?v={etag}" if etag else None


def cards(session: Session, attendees: list[Attendee]) -> list[AttendeeCard]:
    interests = interests_of(session, [a.id for a in attendees])
    return [
        AttendeeCard(
            id=a.id,
            display_name=a.display_name,
            headline=a.headline,
            company=a.company,
            ask_me_about=a.ask_me_about,
            find_me_hint=a.find_me_hint,
            photo_url=photo_url(a.event_id, a.id, a.photo_etag),
            role=Role(a.role),
            interests=interests[a.id],
        )
        for a in attendees
    ]


def listed(session: Session, attendees: list[Attendee]) -> list[AttendeeListed]:
    """Cards for the organizer's lists, with when each joined."""
    joined = {a.id: a.created_at for a in attendees}
    return [AttendeeListed(**card.model_dump(), joined_at=joined[card.id]) for card in cards(session, attendees)]


# Photos -----------------------------------------------------------------------------------------


def set_photo(session: Session, attendee: Attendee, data: bytes, content_type: str | None) -> Attendee:
    """Store the photo as api/attendees/photos.py makes it (small, square, without metadata), replacing any."""
    image, etag = photos.processed(data, content_type)
    row = session.get(AttendeePhoto, attendee.id) or AttendeePhoto(
        attendee_id=attendee.id, image=b"", media_type="", etag=""
    )
    row.image, row.media_type, row.etag = image, photos.MEDIA_TYPE, etag
    attendee.photo_etag = etag
    session.add_all([row, attendee])
    session.flush()
    refresh_presence(session, attendee)  # suggestions showing their card show the new photo
    return attendee


def remove_photo(session: Session, attendee: Attendee) -> Attendee:
    session.execute(delete(AttendeePhoto).where(col(AttendeePhoto.attendee_id) == attendee.id))
    attendee.photo_etag = None
    session.add(attendee)
    session.flush()
    refresh_presence(session, attendee)
    return attendee


def photo_of(session: Session, attendee: Attendee) -> AttendeePhoto:
    """The photo of an attendee already found shown (the visibility rule); NotFound without one, worded as for
    an unknown attendee so the answer tells nothing more than the card would."""
    row = session.get(AttendeePhoto, attendee.id)
    if row is None:
        raise NotFound("No such attendee in this event")
    return row


def get_attendee(session: Session, *, event_id: int, attendee_id: int) -> Attendee:
    attendee = session.get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != event_id:
        raise NotFound("No such attendee in this event")
    return attendee


def list_attendees(
    session: Session, event_id: int, *, name: str | None = None, limit: int, offset: int
) -> tuple[list[Attendee], int]:
    """The event's attendees by name; `name` keeps those whose display name contains it, case aside."""
    where = [col(Attendee.event_id) == event_id]
    if name:
        # autoescape: a typed % or _ is a character to find, not a wildcard.
        where.append(col(Attendee.display_name).icontains(name, autoescape=True))
    total = session.exec(select(func.count()).select_from(Attendee).where(*where)).one()
    rows = session.exec(
        select(Attendee)
        .where(*where)
        .order_by(col(Attendee.display_name), col(Attendee.id))
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def delete_attendee(session: Session, attendee: Attendee) -> None:
    """Erasure: the row goes, and with it (by cascade) interests, sign-in links, sessions and presence."""
    session.delete(attendee)
    session.flush()
    # After the rows it locks (attendee, then presence), in the order a check-in takes them.
    mark_changed(session, [attendee.id])  # every process's crowd forgets them
