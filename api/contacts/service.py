"""Contacts: always mutual. A request accepted, or a personal connect QR shown and scanned.

Before an exchange no private detail (email, phone, website) of anyone is readable through any route;
after it, each side holds a copy of what the other chose to share.
"""

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.attendees.models import Attendee, AttendeePhoto
from api.attendees.service import cards, get_attendee, interests_of, photo_url
from api.attendees.visibility import UNKNOWN_ATTENDEE, contacts_shown, shown_attendee
from api.contacts.models import ConnectCode, Contact, ContactRequest, ContactSharing
from api.contacts.schemas import (
    ConnectCodePublic,
    ContactPublic,
    ContactRequestCreate,
    ContactRequests,
    ContactUpdate,
    NetworkingReturn,
    ReceivedRequest,
    SentRequest,
    Sharing,
    SharingChoice,
)
from api.contacts.vcard import ContactCard
from api.core.config import Settings
from api.core.db import utcnow
from api.core.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from api.core.security import hash_secret, new_secret_token
from api.events.models import Event, Zone
from api.presence.service import current_presence
from api.push.service import notify_contact_request
from api.safety.service import block, blocked_either_way

CONNECT_CODE_LIFETIME = timedelta(minutes=3)


class UnknownConnectCode(NotFound):
    default_detail = "This connect code is unknown or expired: ask them to show their code again"


# Sharing choices ------------------------------------------------------------------------------


def sharing_of(session: Session, attendee_id: int) -> ContactSharing:
    """The attendee's choice, or the defaults (the name alone) while they have made none."""
    return session.get(ContactSharing, attendee_id) or ContactSharing(attendee_id=attendee_id)


def sharing_view(session: Session, attendee_id: int) -> Sharing:
    row = session.get(ContactSharing, attendee_id)
    choice = (row or ContactSharing(attendee_id=attendee_id)).model_dump(exclude={"attendee_id"})
    return Sharing(**choice, chosen=row is not None)


def set_sharing(session: Session, attendee: Attendee, choice: SharingChoice) -> ContactSharing:
    sharing = sharing_of(session, attendee.id)
    for name, value in choice.model_dump().items():
        setattr(sharing, name, value)
    session.add(sharing)
    session.flush()
    return sharing


# Requests -------------------------------------------------------------------------------------


def _shared_topic_names(session: Session, a: int, b: int) -> list[str]:
    interests = interests_of(session, [a, b])
    theirs = {i.id for i in interests[b]}
    return [i.name for i in interests[a] if i.id in theirs]


def _can_connect(session: Session, me: Attendee, other_id: int) -> Attendee:
    """The other attendee, if an exchange with them may start; NotFound otherwise (blocks included,
    so a block is indistinguishable from someone who is not there)."""
    if other_id == me.id:
        raise InvalidInput("You cannot connect with yourself")
    other = get_attendee(session, event_id=me.event_id, attendee_id=other_id)
    if other_id in blocked_either_way(session, me.id):
        raise NotFound(UNKNOWN_ATTENDEE)
    return other


def _can_ask(session: Session, me: Attendee, other_id: int) -> Attendee:
    """The other attendee, if I may ask them for an exchange: only someone I may be shown (the visibility
    rule), else NotFound as for an unknown id. Scanning a connect code needs no such rule: showing one's
    code to someone is consent."""
    if other_id == me.id:
        raise InvalidInput("You cannot connect with yourself")
    return shown_attendee(session, me, other_id)


def _contact_ids(session: Session, owner_id: int) -> set[int | None]:
    return set(session.exec(select(col(Contact.other_attendee_id)).where(col(Contact.owner_id) == owner_id)))


class TooManyWaiting(TooManyRequests):
    """Strangers may not bury someone under requests: a few at a time wait for them (one per sender)."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.detail = "This person has too many requests waiting for an answer: try again later"


def _refuse_past_waiting_cap(session: Session, settings: Settings, to: Attendee) -> None:
    """TooManyWaiting when `requests_waiting_per_attendee` requests sent to `to` in its window still wait for an
    answer; one declined (or accepted) frees its place."""
    cap, window = settings.requests_waiting_per_attendee
    since = utcnow() - timedelta(seconds=window)
    waiting = session.exec(
        select(ContactRequest.created_at)
        .where(
            ContactRequest.to_attendee_id == to.id,
            ContactRequest.status == "pending",
            ContactRequest.created_at > since,
        )
        .order_by(col(ContactRequest.created_at).desc())
        .limit(cap)
    ).all()
    if len(waiting) >= cap:
        oldest = min(waiting)
        raise TooManyWaiting(retry_after=max(1, int((oldest - since).total_seconds()) + 1))


def send_request(session: Session, settings: Settings, me: Attendee, data: ContactRequestCreate) -> SentRequest:
    other = _can_ask(session, me, data.to_attendee_id)
    if other.id in _contact_ids(session, me.id):
        raise Conflict("You are already in each other's contacts")
    existing = session.exec(
        select(ContactRequest).where(
            ContactRequest.from_attendee_id == me.id, ContactRequest.to_attendee_id == other.id
        )
    ).first()
    if existing is not None:
        return _sent(session, existing, other)
    crossed = session.exec(
        select(ContactRequest).where(
            ContactRequest.from_attendee_id == other.id,
            ContactRequest.to_attendee_id == me.id,
            ContactRequest.status == "pending",
        )
    ).first()
    if crossed is None:
        _refuse_past_waiting_cap(session, settings, other)
    zone = _my_zone(session, me)
    request = ContactRequest(
        event_id=me.event_id,
        from_attendee_id=me.id,
        to_attendee_id=other.id,
        message=data.message,
        zone_id=zone.id if zone else None,
        shared_topics=_shared_topic_names(session, me.id, other.id),
    )
    session.add(request)
    session.flush()
    if crossed is not None:
        # Both asked each other: that is mutual consent already.
        _accept(session, crossed, accepter=me)
        request.status = "accepted"
        request.answered_at = crossed.answered_at
        session.add(request)
        session.flush()
    else:
        notify_contact_request(session, request.id)
    return _sent(session, request, other)


def _sent(session: Session, request: ContactRequest, other: Attendee) -> SentRequest:
    return SentRequest(
        id=request.id,
        to=cards(session, [other])[0],
        message=request.message,
        status="accepted" if request.status == "accepted" else "pending",
        created_at=request.created_at,
    )


def _my_zone(session: Session, attendee: Attendee) -> Zone | None:
    here = current_presence(session, attendee.id, utcnow())
    return here[1] if here else None


def list_requests(session: Session, me: Attendee) -> ContactRequests:
    """Requests between me and people I may still meet: a block hides them both ways, at once."""
    blocked = blocked_either_way(session, me.id)
    received_rows = list(
        session.exec(
            select(ContactRequest)
            .where(
                ContactRequest.to_attendee_id == me.id,
                ContactRequest.status == "pending",
                col(ContactRequest.from_attendee_id).not_in(blocked),
            )
            .order_by(col(ContactRequest.created_at).desc())
        )
    )
    sent_rows = list(
        session.exec(
            select(ContactRequest)
            .where(
                ContactRequest.from_attendee_id == me.id,
                ContactRequest.status != "accepted",
                col(ContactRequest.to_attendee_id).not_in(blocked),
            )
            .order_by(col(ContactRequest.created_at).desc())
        )
    )
    people = {
        a.id: a
        for a in _attendees(
            session, [r.from_attendee_id for r in received_rows] + [r.to_attendee_id for r in sent_rows]
        )
    }
    people_cards = {c.id: c for c in cards(session, list(people.values()))}
    zones = _zone_names(session, [r.zone_id for r in received_rows])
    return ContactRequests(
        received=[
            ReceivedRequest(
                id=r.id,
                sender=people_cards[r.from_attendee_id],
                message=r.message,
                zone_name=zones.get(r.zone_id),
                shared_topics=r.shared_topics,
                created_at=r.created_at,
            )
            for r in received_rows
        ],
        sent=[
            SentRequest(
                id=r.id, to=people_cards[r.to_attendee_id], message=r.message, status="pending", created_at=r.created_at
            )
            for r in sent_rows
        ],
    )


def _attendees(session: Session, ids: Iterable[int]) -> list[Attendee]:
    ids = set(ids)
    return list(session.exec(select(Attendee).where(col(Attendee.id).in_(ids)))) if ids else []


def _zone_names(session: Session, ids: Iterable[int | None]) -> dict[int | None, str]:
    ids = {i for i in ids if i is not None}
    return dict(session.exec(select(col(Zone.id), col(Zone.name)).where(col(Zone.id).in_(ids))).all()) if ids else {}


def _received(session: Session, me: Attendee, request_id: int) -> ContactRequest:
    request = session.get(ContactRequest, request_id)
    if (
        request is None
        or request.to_attendee_id != me.id
        or request.from_attendee_id in blocked_either_way(session, me.id)
    ):
        raise NotFound("No such contact request for you")
    return request


def accept_request(session: Session, me: Attendee, request_id: int) -> ContactPublic:
    request = _received(session, me, request_id)
    if request.status == "accepted":
        raise Conflict("This request was already accepted")
    return public(session, me, _accept(session, request, accepter=me))


def _accept(session: Session, request: ContactRequest, *, accepter: Attendee) -> Contact:
    request.status = "accepted"
    request.answered_at = utcnow()
    session.add(request)
    sender = session.get_one(Attendee, request.from_attendee_id)
    zone_name = _zone_names(session, [request.zone_id]).get(request.zone_id)
    mine, _ = exchange(
        session, accepter, sender, how="suggestion", zone_name=zone_name, shared_topics=request.shared_topics
    )
    return mine


def decline_request(session: Session, me: Attendee, request_id: int) -> None:
    _decline(session, _received(session, me, request_id))


def decline_and_block(session: Session, me: Attendee, request_id: int) -> None:
    """Decline, and block the sender: they can reach me no more, and see nothing of me any more."""
    request = _received(session, me, request_id)
    _decline(session, request)
    block(session, me, request.from_attendee_id)


def _decline(session: Session, request: ContactRequest) -> None:
    if request.status == "pending":
        request.status = "declined"
        request.answered_at = utcnow()
        session.add(request)
        session.flush()


# The exchange itself --------------------------------------------------------------------------


def exchange(
    session: Session, a: Attendee, b: Attendee, *, how: str, zone_name: str | None, shared_topics: list[str]
) -> tuple[Contact, Contact]:
    """Give each side a copy of what the other shares. Idempotent per pair: an existing copy is kept."""
    event_name = session.get_one(Event, a.event_id).name
    now = utcnow()

    def copy_for(owner: Attendee, other: Attendee) -> Contact:
        existing = session.exec(
            select(Contact).where(Contact.owner_id == owner.id, Contact.other_attendee_id == other.id)
        ).first()
        if existing is not None:
            return existing
        sharing = sharing_of(session, other.id)
        contact = Contact(
            owner_id=owner.id,
            other_attendee_id=other.id,
            name=other.display_name,
            headline=other.headline,
            company=other.company if sharing.share_company and other.company else None,
            email=other.email if sharing.share_email else None,
            phone=other.phone if sharing.share_phone else None,
            website_url=other.website_url if sharing.share_website else None,
            event_name=event_name,
            zone_name=zone_name,
            shared_topics=shared_topics,
            how=how,
            met_at=now,
        )
        session.add(contact)
        return contact

    pair = copy_for(a, b), copy_for(b, a)
    session.flush()
    return pair


def connect_code(session: Session, settings: Settings, me: Attendee) -> ConnectCodePublic:
    """A new personal connect code; the previous one stops working at once."""
    code = new_secret_token()
    expires_at = utcnow() + CONNECT_CODE_LIFETIME
    row = session.get(ConnectCode, me.id) or ConnectCode(attendee_id=me.id, token_hash="", expires_at=expires_at)
    row.token_hash = hash_secret(code)
    row.expires_at = expires_at
    session.add(row)
    session.flush()
    return ConnectCodePublic(code=code, url=f"{settings.public_base_url}/c/{code}", expires_at=expires_at)


def scan(session: Session, me: Attendee, scanned: str) -> ContactPublic:
    """Scanning someone's connect QR: showing one's code is consent, so the contact exists at once."""
    code = scanned.strip().rsplit("/c/", 1)[-1]
    row = session.exec(select(ConnectCode).where(ConnectCode.token_hash == hash_secret(code))).first()
    if row is None or row.expires_at <= utcnow():
        raise UnknownConnectCode()
    other = session.get(Attendee, row.attendee_id)
    if other is None or other.event_id != me.event_id or other.id == me.id:
        raise UnknownConnectCode()
    _can_connect(session, me, other.id)
    zone = _my_zone(session, me)
    mine, _ = exchange(
        session,
        me,
        other,
        how="qr",
        zone_name=zone.name if zone else None,
        shared_topics=_shared_topic_names(session, me.id, other.id),
    )
    return public(session, me, mine)


# One's own contacts ---------------------------------------------------------------------------


def public(session: Session, me: Attendee, contact: Contact) -> ContactPublic:
    return publics(session, me, [contact])[0]


def publics(session: Session, me: Attendee, contacts: list[Contact]) -> list[ContactPublic]:
    """My contacts as shown, each with what the other's card says now (photo, "ask me about", "how to find me"):
    not copies, so they go with their account, and a block either way hides them."""
    live: dict[int | None, tuple[str | None, str, str]] = {
        attendee_id: (photo_url(me.event_id, attendee_id, etag), ask, hint)
        for attendee_id, etag, ask, hint in session.exec(
            select(Attendee.id, Attendee.photo_etag, Attendee.ask_me_about, Attendee.find_me_hint).where(
                col(Attendee.id).in_(_shown_contacts(session, me, contacts))
            )
        )
    }
    shown = []
    for contact in contacts:
        url, ask, hint = live.get(contact.other_attendee_id, (None, "", ""))
        shown.append(ContactPublic(**contact.model_dump(), photo_url=url, ask_me_about=ask, find_me_hint=hint))
    return shown


def _shown_contacts(session: Session, me: Attendee, contacts: list[Contact]) -> set[int]:
    return contacts_shown(session, me.id, {c.other_attendee_id for c in contacts if c.other_attendee_id})


def contact_photos(session: Session, me: Attendee, contacts: list[Contact]) -> dict[int | None, bytes]:
    """The JPEG photos of my contacts, by their attendee id, for a vCard export: the ones a card shows."""
    shown = _shown_contacts(session, me, contacts)
    if not shown:
        return {}
    rows = session.exec(
        select(AttendeePhoto.attendee_id, AttendeePhoto.image).where(col(AttendeePhoto.attendee_id).in_(shown))
    )
    return dict(rows.all())


def my_contacts(
    session: Session, me: Attendee, *, tag: str | None = None, follow_up: bool | None = None
) -> list[Contact]:
    query = (
        select(Contact)
        .where(col(Contact.owner_id) == me.id)
        .order_by(col(Contact.met_at).desc(), col(Contact.id).desc())
    )
    if follow_up is not None:
        query = query.where(Contact.follow_up == follow_up)
    rows = list(session.exec(query))
    # Tags are a short JSON list per contact: filtered here, the same on SQLite and PostgreSQL.
    return [c for c in rows if tag is None or tag in c.tags]


def get_contact(session: Session, me: Attendee, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.owner_id != me.id:
        raise NotFound("No such contact in your list")
    return contact


def update_contact(session: Session, contact: Contact, data: ContactUpdate) -> Contact:
    for name, value in data.changes().items():
        setattr(contact, name, value)
    session.add(contact)
    session.flush()
    return contact


def remove_contact(session: Session, contact: Contact) -> None:
    """From one's own list only: the other side keeps their copy."""
    session.delete(contact)
    session.flush()


def networking_return(session: Session, me: Attendee) -> NetworkingReturn:
    event = session.get_one(Event, me.event_id)
    count = session.exec(select(func.count()).select_from(Contact).where(Contact.owner_id == me.id)).one()
    cost = None
    if event.ticket_price_cents is not None and count:
        cost = round(event.ticket_price_cents / count)
    return NetworkingReturn(
        contacts=count,
        ticket_price_cents=event.ticket_price_cents,
        currency=event.currency,
        cost_per_contact_cents=cost,
    )


# Export ----------------------------------------------------------------------------------------


def export_label(session: Session, attendee: Attendee, tag: str | None, form: str) -> str:
    """What an export's file is named after: the event, the tag it is narrowed to, and the format, so that
    "couloir-contacts-devops-days-google.csv" and "…-outlook.csv" (or a 3.0 and a 4.0 vCard) never collide."""
    event = session.get(Event, attendee.event_id)
    label_of_form = {"3.0": "", "4.0": "vcard4"}.get(form, form)
    return " ".join(part for part in (event.name if event else "", tag or "", label_of_form) if part)


# The follow-up mark as an address book label (a CATEGORIES item, a Google label, an Outlook category).
FOLLOW_UP = {"fr": "À recontacter", "en": "Follow up"}


def _follow_up(language: str) -> str:
    return FOLLOW_UP["fr" if language == "fr" else "en"]


def card_of(contact: Contact, language: str, photos: dict[int | None, bytes] | None = None) -> ContactCard:
    met = contact.met_at.strftime("%Y-%m-%d")
    where = f"{contact.event_name}, {contact.zone_name}" if contact.zone_name else contact.event_name
    if language == "fr":
        note = f"Rencontré à {where}, le {met}."
        topics = f" Sujets : {', '.join(contact.shared_topics)}." if contact.shared_topics else ""
    else:
        note = f"Met at {where}, {met}."
        topics = f" Topics: {', '.join(contact.shared_topics)}." if contact.shared_topics else ""
    note = note + topics + (f"\n{contact.note}" if contact.note else "")
    return ContactCard(
        uid=f"couloir-contact-{contact.id}",
        full_name=contact.name,
        org=contact.company,
        title=contact.headline or None,
        emails=[contact.email] if contact.email else [],
        phones=[contact.phone] if contact.phone else [],
        urls=[contact.website_url] if contact.website_url else [],
        categories=[contact.event_name, *contact.tags, *([_follow_up(language)] if contact.follow_up else [])],
        note=note,
        photo_jpeg=(photos or {}).get(contact.other_attendee_id),
        revision=contact.met_at,
    )


def own_card(session: Session, me: Attendee) -> ContactCard:
    """My details as my exchanges share them, for the card QR shown to people without the app."""
    sharing = sharing_of(session, me.id)
    return ContactCard(
        uid=f"couloir-attendee-{me.id}",
        full_name=me.display_name,
        org=me.company if sharing.share_company and me.company else None,
        title=me.headline or None,
        emails=[me.email] if sharing.share_email and me.email else [],
        phones=[me.phone] if sharing.share_phone and me.phone else [],
        urls=[me.website_url] if sharing.share_website and me.website_url else [],
    )
