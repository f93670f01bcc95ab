from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, Exists, ForeignKey, Integer, exists
from sqlmodel import Field, SQLModel, col

from api.core.db import UTCDateTime, utcnow

_ONE_SUBJECT = "(organizer_id IS NULL) <> (attendee_id IS NULL)"


class MagicLink(SQLModel, table=True):
    __tablename__ = "magic_link"
    __table_args__ = (CheckConstraint(_ONE_SUBJECT, name="one_subject"),)
    id: int = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    organizer_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("organizer.id", ondelete="CASCADE"), index=True)
    )
    attendee_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), index=True)
    )
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The address this link was mailed to as proof that it belongs to the attendee: following it attaches
    # it to them. An address someone types is never an attendee's before that.
    confirms_email: str | None = Field(default=None, max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class RefreshSession(SQLModel, table=True):
    """One signed-in device, the family of the refresh tokens it is given one after the other: both its
    tokens carry its id (`sid`), and only the latest refresh token (`refresh_jti`) can be spent. Logout,
    the reuse of a spent refresh token, or the account's erasure (its rows go with it) end the session,
    and with it the device's access token (`signed_in`)."""

    __tablename__ = "refresh_session"
    __table_args__ = (CheckConstraint(_ONE_SUBJECT, name="one_subject"),)
    id: str = Field(primary_key=True, max_length=32)
    refresh_jti: str = Field(max_length=32)
    organizer_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("organizer.id", ondelete="CASCADE"), index=True)
    )
    attendee_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), index=True)
    )
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def signed_in(session_id: Any, *, attendee_id: Any = None, organizer_id: Any = None) -> Exists:
    """The condition, for a query that reads the caller anyway, that their access token's session
    (`session_id`) is theirs and still signed in. Each argument a value, a column or a bind parameter."""
    subject = (
        col(RefreshSession.attendee_id) == attendee_id
        if organizer_id is None
        else col(RefreshSession.organizer_id) == organizer_id
    )
    return exists().where(col(RefreshSession.id) == session_id, subject, col(RefreshSession.revoked_at).is_(None))
