"""The organizers' live picture: aggregates only. Every figure about people is a MaskedCount."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.attendees.schemas import InterestPublic
from api.core.privacy import MaskedCount
from api.presence.schemas import ZoneCount, ZoneRef
from api.rendezvous.schemas import RendezvousFigures


class HeatmapRow(BaseModel):
    zone: ZoneRef
    people: list[MaskedCount] = Field(description="One figure per slot of `Heatmap.slots`, in the same order")


class Heatmap(BaseModel):
    """Occupancy of each zone over the event's day, in slots of `slot_minutes`."""

    slot_minutes: int
    slots: list[datetime] = Field(description="The start of each slot (UTC)")
    rows: list[HeatmapRow] = Field(
        description="People present in the zone at any moment of the slot, by their check-ins: a check-in "
        "lasts until the next one, the end of its break, or the presence TTL outside breaks"
    )


class HourCount(BaseModel):
    hour: datetime = Field(description="The start of the hour (UTC)")
    contacts: MaskedCount


class NudgeOccasion(BaseModel):
    kind: Literal["break", "hallway_moment"]
    id: int
    label: str
    starts_at: datetime
    ends_at: datetime
    sent: MaskedCount = Field(description="Break nudges delivered to at least one device of the attendee")
    opened: MaskedCount = Field(description="Of those, the ones the attendee tapped")


class NudgeFigures(BaseModel):
    sent: MaskedCount = Field(description="The sum of the occasions' figures shown: masked ones are not added")
    opened: MaskedCount = Field(description="The sum of the occasions' figures shown: masked ones are not added")
    occasions: list[NudgeOccasion] = Field(description="Breaks and hallway moments started so far, latest first")


class HuddleGroup(BaseModel):
    zone: ZoneRef
    topic: InterestPublic
    people: int = Field(description="Always at least 3: a huddle is three or more people")


class HuddleFigures(BaseModel):
    """A huddle: three or more visible attendees present in one zone who follow one topic (the groups the
    attendees' suggestions offer). Counted now, from current presences; past huddles are not recorded."""

    now: int = Field(description="Huddles under way now: distinct (zone, topic) groups")
    groups: list[HuddleGroup] = Field(description="Biggest first")


class Kpis(BaseModel):
    attendees: MaskedCount = Field(description="Attendees who joined the event")
    attendees_with_contact: MaskedCount = Field(description="Attendees holding at least one contact made here")
    share_with_contact: float | None = Field(
        description="attendees_with_contact / attendees, 0 to 1; null when either figure is masked"
    )
    contacts_made: MaskedCount = Field(description="Exchanges between two attendees, each counted once")
    contacts_per_attendee: float | None = Field(
        description="Contacts held per attendee (an exchange gives each side one); null when a figure is masked"
    )
    ticket_price_cents: int | None
    currency: str | None
    cost_per_contact_cents: int | None = Field(
        description="Ticket price / contacts per attendee: what one contact cost an average attendee; null "
        "without a ticket price, before a first contact, or when a figure is masked"
    )


class Dashboard(BaseModel):
    generated_at: datetime
    day: date = Field(description="The event's local day the heatmap and hourly figures cover")
    timezone: str
    zones: list[ZoneCount] = Field(description="Occupancy now and the topics at least three present people follow")
    heatmap: Heatmap
    contacts_per_hour: list[HourCount]
    nudges: NudgeFigures
    huddles: HuddleFigures
    kpis: Kpis
    rendezvous: RendezvousFigures
