"""Who is calling: the attendee or organizer an access token names, loaded for a request (`CurrentAttendee`,
`CurrentOrganizer`) or for work that runs on its own session (`load_attendee`, `as_attendee`)."""

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends
from sqlmodel import Session, select

from api.attendees.models import Attendee
from api.auth.models import signed_in
from api.core.deps import AttendeeClaims, Claims, SessionDep
from api.core.errors import SIGNED_OUT, NotAuthenticated
from api.core.security import TokenClaims
from api.organizers.models import Organizer

Result = TypeVar("Result")


def current_attendee(claims: AttendeeClaims, session: SessionDep) -> Attendee:
    return load_attendee(session, claims)


def load_attendee(session: Session, claims: TokenClaims) -> Attendee:
    """The attendee an attendee's access token (AttendeeClaims) names, refused if the account is gone or the
    token's session ended (signed out): read in one statement."""
    attendee = session.exec(
        select(Attendee).where(
            Attendee.id == claims.subject_id,
            Attendee.event_id == claims.event_id,
            signed_in(claims.session_id, attendee_id=Attendee.id),
        )
    ).first()
    if attendee is None:
        raise NotAuthenticated(SIGNED_OUT)
    return attendee


def current_organizer(claims: Claims, session: SessionDep) -> Organizer:
    if claims.subject_kind != "organizer":
        raise NotAuthenticated("This needs an organizer's access token")
    return load_organizer(session, claims)


def load_organizer(session: Session, claims: TokenClaims) -> Organizer:
    """The organizer an organizer's access token names, refused as `load_attendee` refuses."""
    organizer = session.exec(
        select(Organizer).where(
            Organizer.id == claims.subject_id, signed_in(claims.session_id, organizer_id=Organizer.id)
        )
    ).first()
    if organizer is None:
        raise NotAuthenticated(SIGNED_OUT)
    return organizer


CurrentAttendee = Annotated[Attendee, Depends(current_attendee)]
CurrentOrganizer = Annotated[Organizer, Depends(current_organizer)]


def as_attendee(claims: TokenClaims, work: Callable[[Session, Attendee], Result]) -> Callable[[Session], Result]:
    """`work(session, attendee)` for the attendee of `claims`, loaded (or refused) on the work's own session."""
    return lambda session: work(session, load_attendee(session, claims))
