"""Every table model, imported once so the metadata (and Alembic) sees the whole schema."""

from api.agenda.models import AgendaBreak, Talk, TalkSpeaker, TalkTopic
from api.attendees.models import Attendee, AttendeeInterest
from api.auth.models import MagicLink, RefreshSession
from api.core.db import metadata
from api.core.ratelimit import RateLimitWindow
from api.events.models import Event, EventOrganizer, Topic, Zone, ZoneNeighbour
from api.organizers.models import Organizer

__all__ = [
    "AgendaBreak",
    "Attendee",
    "AttendeeInterest",
    "Event",
    "EventOrganizer",
    "MagicLink",
    "Organizer",
    "RateLimitWindow",
    "RefreshSession",
    "Talk",
    "TalkSpeaker",
    "TalkTopic",
    "Topic",
    "Zone",
    "ZoneNeighbour",
    "metadata",
]
