from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow

_ONE_SUBJECT = "(organizer_id IS NULL) <> (attendee_id IS NULL)"


class MagicLink(SQLModel, table=True):
    __tablename__ = "magic_link"
    __table_args__ = (CheckConstraint(_ONE_SUBJECT, name="one_subject"),)
    id: int | None = Field(default=None, primary_key=True)
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
    """One signed-in device; its refresh token carries the jti. Logout or deletion revokes it."""

    __tablename__ = "refresh_session"
    __table_args__ = (CheckConstraint(_ONE_SUBJECT, name="one_subject"),)
    jti: str = Field(primary_key=True, max_length=32)
    organizer_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("organizer.id", ondelete="CASCADE"), index=True)
    )
    attendee_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), index=True)
    )
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
