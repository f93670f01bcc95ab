"""Passwordless sign-in: magic links, and the access/refresh token pair of a signed-in device."""

import logging
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import ColumnElement, and_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.attendees.models import Attendee
from api.attendees.service import attach_proven_email, email_owner, vouch
from api.auth.models import MagicLink, RefreshSession
from api.auth.schemas import TokenPair
from api.core.config import Settings
from api.core.db import rowcount, utcnow
from api.core.errors import SIGNED_OUT, NotAuthenticated
from api.core.mailer import send_email
from api.core.security import (
    InvalidToken,
    SubjectKind,
    TokenClaims,
    hash_secret,
    issue_token,
    new_secret_token,
    new_token_id,
    read_token,
)
from api.events.models import Event
from api.organizers.models import Organizer

log = logging.getLogger("couloir.auth")

_LINK_REFUSED = "This sign-in link is invalid, expired or already used"


def open_session(
    session: Session, settings: Settings, *, organizer: Organizer | None = None, attendee: Attendee | None = None
) -> TokenPair:
    """Sign a device in: a refresh session row and a fresh token pair."""
    subject_kind: SubjectKind
    if organizer is not None:
        subject_kind, subject_id = "organizer", organizer.id
    else:
        assert attendee is not None, "a session is an organizer's or an attendee's"
        subject_kind, subject_id = "attendee", attendee.id
    session_id, refresh_jti = new_token_id(), new_token_id()
    event_id = attendee.event_id if attendee else None
    tokens, expires_at = _token_pair(settings, subject_kind, subject_id, event_id, session_id, refresh_jti)
    session.add(
        RefreshSession(
            id=session_id,
            refresh_jti=refresh_jti,
            organizer_id=organizer.id if organizer else None,
            attendee_id=attendee.id if attendee else None,
            expires_at=expires_at,
        )
    )
    session.flush()
    return tokens


def _token_pair(
    settings: Settings,
    subject_kind: SubjectKind,
    subject_id: int,
    event_id: int | None,
    session_id: str,
    refresh_jti: str,
) -> tuple[TokenPair, datetime]:
    """Session `session_id`'s pair, its refresh token numbered `refresh_jti`, and when that one expires."""
    issue = partial(
        issue_token,
        subject_kind=subject_kind,
        subject_id=subject_id,
        session_id=session_id,
        event_id=event_id,
        key=settings.signing_key(),
        issuer=settings.jwt_issuer,
    )
    refresh, refresh_claims = issue(
        kind="refresh", jti=refresh_jti, lifetime=timedelta(days=settings.refresh_token_days)
    )
    access_lifetime = timedelta(minutes=settings.access_token_minutes)
    access, _ = issue(kind="access", lifetime=access_lifetime)
    pair = TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=int(access_lifetime.total_seconds()),
        subject_kind=subject_kind,
        subject_id=subject_id,
        event_id=event_id,
    )
    return pair, refresh_claims.expires_at


def _read_refresh(settings: Settings, token: str) -> TokenClaims:
    try:
        return read_token(token, kind="refresh", key=settings.signing_key(), issuer=settings.jwt_issuer)
    except InvalidToken:
        raise NotAuthenticated("Invalid or expired refresh token") from None


def _of_subject(claims: TokenClaims) -> ColumnElement[bool]:
    """The session row of the token's subject (a session id is never another subject's)."""
    column = col(RefreshSession.attendee_id) if claims.subject_kind == "attendee" else col(RefreshSession.organizer_id)
    return and_(col(RefreshSession.id) == claims.session_id, column == claims.subject_id)


def refresh(session: Session, settings: Settings, token: str) -> TokenPair:
    """Rotate: the presented refresh token is spent and its session's next pair is issued.

    A refresh token already spent is a copy in other hands, or a replay (OAuth 2.1 reuse detection): the
    whole session is signed out, the device's latest tokens included, whoever holds them."""
    claims = _read_refresh(settings, token)
    now = utcnow()
    refresh_jti = new_token_id()
    tokens, expires_at = _token_pair(
        settings, claims.subject_kind, claims.subject_id, claims.event_id, claims.session_id, refresh_jti
    )
    rotated = session.execute(
        update(RefreshSession)
        .where(
            _of_subject(claims),
            col(RefreshSession.refresh_jti) == claims.jti,
            col(RefreshSession.revoked_at).is_(None),
            col(RefreshSession.expires_at) > now,
        )
        .values(refresh_jti=refresh_jti, expires_at=expires_at)
    )
    if rowcount(rotated) == 0:
        if _end_session(session, claims):
            log.warning("a spent refresh token was presented again: its session is signed out")
            session.commit()  # kept, although the request is refused (and its session rolled back)
        raise NotAuthenticated(SIGNED_OUT)
    return tokens


def logout(session: Session, settings: Settings, token: str) -> None:
    """Sign the device out: its session ends, and with it both its tokens."""
    _end_session(session, _read_refresh(settings, token))


def _end_session(session: Session, claims: TokenClaims) -> bool:
    """Whether the token's session was signed in (it is not any more)."""
    ended = session.execute(
        update(RefreshSession)
        .where(_of_subject(claims), col(RefreshSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    return rowcount(ended) > 0


# Magic links ----------------------------------------------------------------------------------


def create_magic_link(
    session: Session,
    settings: Settings,
    *,
    organizer_id: int | None = None,
    attendee_id: int | None = None,
    confirms_email: str | None = None,
) -> str:
    """Store a new single-use link (hashed) and return its URL. A newer link leaves the older ones valid: asking
    for links to someone's address (anyone can) never spoils the one its owner holds."""
    return _store_link(
        session,
        settings,
        organizer_id=organizer_id,
        attendee_id=attendee_id,
        confirms_email=confirms_email,
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
    confirms_email: str | None = None,
) -> str:
    token = new_secret_token()
    session.add(
        MagicLink(
            token_hash=hash_secret(token),
            organizer_id=organizer_id,
            attendee_id=attendee_id,
            confirms_email=confirms_email,
            expires_at=expires_at,
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
        .where(
            col(MagicLink.token_hash) == hash_secret(token),
            col(MagicLink.used_at).is_(None),
            col(MagicLink.expires_at) > now,
        )
        .values(used_at=now)
        .returning(col(MagicLink.organizer_id), col(MagicLink.attendee_id), col(MagicLink.confirms_email))
    ).first()
    if row is None:
        raise NotAuthenticated(_LINK_REFUSED)
    organizer_id, attendee_id, confirms_email = row
    organizer = session.get(Organizer, organizer_id) if organizer_id else None
    attendee = session.get(Attendee, attendee_id) if attendee_id else None
    if organizer is None and attendee is None:
        raise NotAuthenticated(_LINK_REFUSED)
    if attendee is not None and confirms_email:
        attendee = attach_proven_email(session, attendee, confirms_email)
    if attendee is not None:
        vouch(session, attendee)
    return open_session(session, settings, organizer=organizer, attendee=attendee)


def send_organizer_link(engine: Engine, settings: Settings, email: str) -> None:
    """Runs after the response: the caller learns nothing from timing about whether the email exists."""
    with Session(engine) as session:
        organizer = session.exec(select(Organizer).where(Organizer.email == email)).first()
        if organizer is None:
            return
        link = create_magic_link(session, settings, organizer_id=organizer.id)
        session.commit()
    send_email(engine, settings, to=email, subject="Your Couloir sign-in link", body=_link_body(link, settings))


def send_attendee_links(engine: Engine, settings: Settings, email: str, event_slug: str | None) -> None:
    with Session(engine) as session:
        query = (
            select(Attendee, col(Event.name))
            .join(Event, col(Event.id) == col(Attendee.event_id))
            .where(col(Attendee.email) == email)
        )
        if event_slug:
            query = query.where(Event.slug == event_slug)
        links = [
            (event_name, create_magic_link(session, settings, attendee_id=attendee.id))
            for attendee, event_name in session.exec(query)
        ]
        session.commit()
    for event_name, link in links:
        send_email(
            engine, settings, to=email, subject=f"Sign in to {event_name} on Couloir", body=_link_body(link, settings)
        )


def send_email_proof(engine: Engine, settings: Settings, attendee_id: int, email: str) -> None:
    """`email` was given as attendee `attendee_id`'s (at join, or in their profile). Only its owner can make it
    theirs: the mailbox gets a link that confirms it or, if an attendee of the event already has it, that
    attendee's sign-in link. Runs after the response, which is the same either way."""
    with Session(engine) as session:
        claimer = session.get(Attendee, attendee_id)
        if claimer is None:
            return
        event_name = session.get_one(Event, claimer.event_id).name
        owner = email_owner(session, claimer.event_id, email, except_id=claimer.id)
        if owner is not None:
            link = create_magic_link(session, settings, attendee_id=owner.id)
            subject, body = f"Sign in to {event_name} on Couloir", _already_joined_body(link, event_name, settings)
        else:
            link = create_magic_link(session, settings, attendee_id=claimer.id, confirms_email=email)
            subject, body = f"Confirm your email for {event_name} on Couloir", _confirm_body(link, event_name, settings)
        session.commit()
    send_email(engine, settings, to=email, subject=subject, body=body)


def _confirm_body(link: str, event_name: str, settings: Settings) -> str:
    minutes = settings.magic_link_minutes
    return (
        f"Someone, maybe you, gave this address on joining {event_name} on Couloir. Open this link to confirm it "
        f"is yours (valid {minutes} minutes, once): it then lets you sign in again on another phone.\n\n{link}\n\n"
        "If it was not you, ignore this email: the address is not saved.\n\n"
        f"Quelqu'un, peut-être vous, a donné cette adresse en rejoignant {event_name} sur Couloir. Ouvrez ce lien "
        f"pour confirmer qu'elle est à vous (valable {minutes} minutes, une fois) : elle vous permettra ensuite de "
        "vous reconnecter sur un autre téléphone. Si ce n'était pas vous, ignorez ce message : l'adresse n'est pas "
        "enregistrée.\n"
    )


def _already_joined_body(link: str, event_name: str, settings: Settings) -> str:
    minutes = settings.magic_link_minutes
    return (
        f"Someone, maybe you, gave this address on joining {event_name} on Couloir, which you had already joined "
        f"with it. Open this link to sign in to your account (valid {minutes} minutes, once):\n\n{link}\n\n"
        "If it was not you, ignore this email: nothing was changed.\n\n"
        f"Quelqu'un, peut-être vous, a donné cette adresse en rejoignant {event_name} sur Couloir, que vous aviez "
        f"déjà rejoint avec elle. Ouvrez ce lien pour vous connecter à votre compte (valable {minutes} minutes, une "
        "fois). Si ce n'était pas vous, ignorez ce message : rien n'a changé.\n"
    )


def _link_body(link: str, settings: Settings) -> str:
    return (
        f"Open this link to sign in to Couloir (valid {settings.magic_link_minutes} minutes, once):\n\n{link}\n\n"
        f"Ouvrez ce lien pour vous connecter à Couloir (valable {settings.magic_link_minutes} minutes, une fois).\n"
    )
