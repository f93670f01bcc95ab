from datetime import datetime

from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow


class Organizer(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
