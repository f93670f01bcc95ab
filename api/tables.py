"""Every table model, imported once so the metadata (and Alembic) sees the whole schema."""

from sqlalchemy import Integer

from api.agenda.models import AgendaBreak, Talk, TalkBookmark, TalkSpeaker, TalkTopic
from api.attendees.models import Attendee, AttendeeInterest, AttendeePhoto
from api.auth.models import MagicLink, RefreshSession
from api.contacts.models import ConnectCode, Contact, ContactRequest, ContactSharing
from api.core.db import metadata
from api.core.idempotency import IdempotencyRecord
from api.core.ratelimit import RateLimitWindow
from api.events.models import Event, EventOrganizer, Topic, Zone, ZoneNeighbour
from api.organizers.models import Organizer
from api.presence.models import CheckInRecord, Presence, PresenceChange, PresenceTopic
from api.push.models import HallwayMoment, Nudge, PushPreference, PushSubscription
from api.rendezvous.models import Rendezvous, RendezvousPlace
from api.safety.models import Block, Report
from api.saved.models import SavedPerson

# A table's `id` is typed `int`, not `int | None`: it is None only until the row is flushed, and nothing reads it
# before (the column, NOT NULL as a primary key, is the same either way).
# An id that leaves the database (in a token, a URL, a phone's contacts, a row naming a person) is never given
# twice: SQLite gives the highest deleted INTEGER PRIMARY KEY again unless the table says AUTOINCREMENT
# (PostgreSQL's sequences never do). Every table with an integer id says so; tests/test_migrations.py checks
# the migrated schema does too.
for _table in metadata.tables.values():
    if [column.name for column in _table.primary_key] == ["id"] and _table.c.id.type._type_affinity is Integer:
        _table.dialect_options["sqlite"]["autoincrement"] = True

__all__ = [
    "AgendaBreak",
    "Attendee",
    "AttendeeInterest",
    "AttendeePhoto",
    "ConnectCode",
    "Contact",
    "ContactRequest",
    "ContactSharing",
    "Block",
    "CheckInRecord",
    "Event",
    "EventOrganizer",
    "HallwayMoment",
    "IdempotencyRecord",
    "MagicLink",
    "Nudge",
    "Organizer",
    "Presence",
    "PresenceChange",
    "PresenceTopic",
    "PushPreference",
    "PushSubscription",
    "RateLimitWindow",
    "RefreshSession",
    "SavedPerson",
    "Rendezvous",
    "RendezvousPlace",
    "Report",
    "Talk",
    "TalkBookmark",
    "TalkSpeaker",
    "TalkTopic",
    "Topic",
    "Zone",
    "ZoneNeighbour",
    "metadata",
]
