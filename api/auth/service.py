"""Passwordless sign-in: magic links, and the access/refresh token pair of a signed-in device."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.attendees.models import Attendee
from api.auth.models import MagicLink, RefreshSession
from api.auth.schemas import TokenPair
from api.core.config import Settings
from api.core.db import utcnow
from api.core.errors import NotAuthenticated
from api.core.mailer import send_email
from api.core.security import InvalidToken, hash_secret, issue_token, new_secret_token, read_token
from api.events.models import Event
from api.organizers.models import Organizer

log = logging.getLogger("couloir.auth")

_LINK_REFUSED = "This sign-in link is invalid, expired or already used"


def open_session(
    session: Session, settings: Settings, *, organizer: Organizer | None = None, attendee: Attendee | None = None
) -> TokenPair:
    """Sign a device in: a refresh session row and a fresh token pair."""
    subject_kind, subject_id = ("organizer", organizer.id) if organizer else ("attendee", attendee.id)
    event_id = attendee.event_id if attendee else None
    key, issuer = settings.signing_key(), settings.jwt_issuer
    refresh, refresh_claims = issue_token(
        kind="refresh",
        subject_kind=subject_kind,
        subject_id=subject_id,
        event_id=event_id,
        key=key,
        issuer=issuer,
        lifetime=timedelta(days=settings.refresh_token_days),
    )
    session.add(
        RefreshSession(
            jti=refresh_claims.jti,
            organizer_id=organizer.id if organizer else None,
            attendee_id=attendee.id if attendee else None,
            expires_at=refresh_claims.expires_at,
        )
    )
    session.flush()
    access_lifetime = timedelta(minutes=settings.access_token_minutes)
    access, _ = issue_token(
        kind="access",
        subject_kind=subject_kind,
        subject_id=subject_id,
        event_id=event_id,
        key=key,
        issuer=issuer,
        lifetime=access_lifetime,
    )
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=int(access_lifetime.total_seconds()),
        subject_kind=subject_kind,
        subject_id=subject_id,
        event_id=event_id,
    )


def _read_refresh(settings: Settings, token: str):
    try:
        return read_token(token, kind="refresh", key=settings.signing_key(), issuer=settings.jwt_issuer)
    except InvalidToken:
        raise NotAuthenticated("Invalid or expired refresh token") from None


def refresh(session: Session, settings: Settings, token: str) -> TokenPair:
    """Rotate: the presented refresh token is spent and a new pair is issued."""
    claims = _read_refresh(settings, token)
    now = utcnow()
    spent = session.execute(
        update(RefreshSession)
        .where(RefreshSession.jti == claims.jti, RefreshSession.revoked_at.is_(None), RefreshSession.expires_at > now)
        .values(revoked_at=now)
        .returning(RefreshSession.organizer_id, RefreshSession.attendee_id)
    ).first()
    if spent is None:
        raise NotAuthenticated("This session was signed out")
    organizer_id, attendee_id = spent
    organizer = session.get(Organizer, organizer_id) if organizer_id else None
    attendee = session.get(Attendee, attendee_id) if attendee_id else None
    if organizer is None and attendee is None:
        raise NotAuthenticated("This account no longer exists")
    return open_session(session, settings, organizer=organizer, attendee=attendee)


def logout(session: Session, settings: Settings, token: str) -> None:
    claims = _read_refresh(settings, token)
    session.execute(
        update(RefreshSession)
        .where(RefreshSession.jti == claims.jti, RefreshSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


# Magic links ----------------------------------------------------------------------------------


def create_magic_link(
    session: Session, settings: Settings, *, organizer_id: int | None = None, attendee_id: int | None = None
) -> str:
    """Store a new single-use link (hashed) and return its URL."""
    return _store_link(
        session,
        settings,
        organizer_id=organizer_id,
        attendee_id=attendee_id,
        expires_at=utcnow() + timedelta(minutes=settings.magic_link_minutes),
    )


def create_invitation_link(session: Session, settings: Settings, *, attendee: Attendee, event: Event) -> str:
    """An imported attendee's personal join link: a magic link that lasts until the event ends, not
    15 minutes, because it is emailed or printed on a badge days before. Still single use."""
    return _store_link(session, settings, attendee_id=attendee.id, expires_at=event.ends_at)


def _store_link(
    session: Session,
    settings: Settings,
    *,
    expires_at: datetime,
    organizer_id: int | None = None,
    attendee_id: int | None = None,
) -> str:
    token = new_secret_token()
    session.add(
        MagicLink(
            token_hash=hash_secret(token), organizer_id=organizer_id, attendee_id=attendee_id, expires_at=expires_at
        )
    )
    session.flush()
    # In the fragment: never sent to a server, so it stays out of access logs and Referer headers.
    return f"{settings.public_base_url}/login#token={token}"


def redeem_magic_link(session: Session, settings: Settings, token: str) -> TokenPair:
    now = utcnow()
    # One conditional UPDATE: two concurrent redemptions of one link cannot both succeed.
    row = session.execute(
        update(MagicLink)
        .where(MagicLink.token_hash == hash_secret(token), MagicLink.used_at.is_(None), MagicLink.expires_at > now)
        .values(used_at=now)
        .returning(MagicLink.organizer_id, MagicLink.attendee_id)
    ).first()
    if row is None:
        raise NotAuthenticated(_LINK_REFUSED)
    organizer_id, attendee_id = row
    organizer = session.get(Organizer, organizer_id) if organizer_id else None
    attendee = session.get(Attendee, attendee_id) if attendee_id else None
    if organizer is None and attendee is None:
        raise NotAuthenticated(_LINK_REFUSED)
    return open_session(session, settings, organizer=organizer, attendee=attendee)


def send_organizer_link(engine: Engine, settings: Settings, email: str) -> None:
    """Runs after the response: the caller learns nothing from timing about whether the email exists."""
    with Session(engine) as session:
        organizer = session.exec(select(Organizer).where(Organizer.email == email)).first()
        if organizer is None:
            return
        link = create_magic_link(session, settings, organizer_id=organizer.id)
        session.commit()
    send_email(settings, to=email, subject="Your Couloir sign-in link", body=_link_body(link, settings))


def send_attendee_links(engine: Engine, settings: Settings, email: str, event_slug: str | None) -> None:
    with Session(engine) as session:
        query = select(Attendee, Event.name).join(Event, Event.id == Attendee.event_id).where(Attendee.email == email)
        if event_slug:
            query = query.where(Event.slug == event_slug)
        links = [
            (event_name, create_magic_link(session, settings, attendee_id=attendee.id))
            for attendee, event_name in session.exec(query)
        ]
        session.commit()
    for event_name, link in links:
        send_email(settings, to=email, subject=f"Sign in to {event_name} on Couloir", body=_link_body(link, settings))


def _link_body(link: str, settings: Settings) -> str:
    return (
        f"Open this link to sign in to Couloir (valid {settings.magic_link_minutes} minutes, once):\n\n{link}\n\n"
        f"Ouvrez ce lien pour vous connecter à Couloir (valable {settings.magic_link_minutes} minutes, une fois).\n"
    )
