"""The organizers' live picture. Plain functions taking a session; reads only.

Everything is aggregated by the database (an event may have 70,000 attendees): no query returns a row
per person, and every count about people leaves through api.core.privacy.masked_count.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Integer, and_, case, cast, distinct, exists, func, or_, text, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from api.agenda.models import AgendaBreak
from api.attendees.models import Attendee
from api.attendees.schemas import InterestPublic
from api.contacts.models import Contact
from api.core.config import Settings
from api.core.db import utcnow
from api.core.privacy import FEWER_THAN_MIN, MIN_SHOWN_COUNT, MaskedCount, masked_count
from api.dashboard.schemas import (
    Dashboard,
    Heatmap,
    HeatmapRow,
    HourCount,
    HuddleFigures,
    HuddleGroup,
    Kpis,
    NudgeFigures,
    NudgeOccasion,
)
from api.events.models import Event, Topic, Zone
from api.presence.models import CheckInRecord, PresenceTopic
from api.presence.service import zone_counts, zone_ref
from api.push.models import HallwayMoment, Nudge
from api.push.policy import BREAK_REASONS
from api.rendezvous.service import figures as rendezvous_figures

SLOT_MINUTES = 15
SLOT_SECONDS = SLOT_MINUTES * 60
MAX_HUDDLES_LISTED = 10
# Second-counts are taken from a day before the day shown, so that every one read is positive.
LOOKBACK = timedelta(days=1)


@dataclass(frozen=True)
class _Day:
    """The event's local day shown, as UTC instants, and the origin second-counts are taken from."""

    day: date
    starts_at: datetime  # the first slot's start: local midnight, or the event's start floored to a slot
    ends_at: datetime  # local midnight after, or the event's end
    origin: datetime  # starts_at - LOOKBACK: every second-count read from the database is >= 0 from here

    def seconds(self, at: datetime) -> int:
        return int((at - self.origin).total_seconds())


def shown_day(event: Event, now: datetime) -> _Day:
    """Today in the event's time zone, kept within the event's days (its first before, its last after)."""
    zone = ZoneInfo(event.timezone)
    at = min(max(now, event.starts_at), event.ends_at - timedelta(microseconds=1))
    day = at.astimezone(zone).date()
    # In UTC: arithmetic on a local time would follow the wall clock across a daylight-saving change.
    midnight = datetime.combine(day, time(), zone).astimezone(UTC)
    next_midnight = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    first = max(midnight, event.starts_at)
    first = midnight + timedelta(seconds=(first - midnight).total_seconds() // SLOT_SECONDS * SLOT_SECONDS)
    return _Day(day=day, starts_at=first, ends_at=min(next_midnight, event.ends_at), origin=first - LOOKBACK)


def _seconds_since(session: Session, column: Any, origin: datetime) -> ColumnElement[int]:
    """Whole seconds from `origin` to a datetime column, computed by the database."""
    if session.get_bind().dialect.name == "postgresql":
        epoch = cast(func.floor(func.extract("epoch", column)), BigInteger)
    else:
        epoch = cast(func.strftime("%s", column), Integer)
    return epoch - int(origin.timestamp())


def _least(session: Session, *values: Any) -> ColumnElement[int]:
    least = func.least if session.get_bind().dialect.name == "postgresql" else func.min
    return least(*values, type_=BigInteger)


def _greatest(session: Session, *values: Any) -> ColumnElement[int]:
    greatest = func.greatest if session.get_bind().dialect.name == "postgresql" else func.max
    return greatest(*values, type_=BigInteger)


# Heatmap ----------------------------------------------------------------------------------------------


def heatmap(session: Session, settings: Settings, event: Event, day: _Day, now: datetime) -> Heatmap:
    """Occupancy per zone and slot, from the check-in history.

    A check-in lasts until the attendee's next one, the end of the break it was made in, or the presence
    TTL outside breaks (as presence itself does), and never past now. An attendee counts once in each
    slot of their stay. The database returns only where counts change (+n at a stay's first slot, -n
    after its last), per zone and slot; the running sum is the occupancy.
    """
    first_slot = day.seconds(day.starts_at) // SLOT_SECONDS
    slot_count = -(-int((day.ends_at - day.starts_at).total_seconds()) // SLOT_SECONDS)
    last_slot = first_slot + slot_count - 1

    breaks = session.exec(
        select(AgendaBreak.starts_at, AgendaBreak.ends_at)
        .where(AgendaBreak.event_id == event.id, AgendaBreak.ends_at > day.origin, AgendaBreak.starts_at < day.ends_at)
        .order_by(col(AgendaBreak.ends_at).desc())  # the latest end wins, as for presence
    ).all()
    # A check-in made before the day still counts if it lasts into it: at most the TTL or a whole break.
    longest_stay = max([timedelta(minutes=settings.presence_ttl_minutes), *(end - start for start, end in breaks)])
    # Materialized on SQLite, which would otherwise convert each row's time once per use below
    # (PostgreSQL computes a subquery's column once; a CTE scan there only adds work).
    check_ins = (
        select(
            CheckInRecord.id,
            CheckInRecord.attendee_id,
            CheckInRecord.zone_id,
            _seconds_since(session, CheckInRecord.checked_in_at, day.origin).label("start_s"),
        )
        .where(
            CheckInRecord.event_id == event.id,
            CheckInRecord.checked_in_at >= max(day.origin, day.starts_at - longest_stay),
            CheckInRecord.checked_in_at < day.ends_at,
        )
        .cte("check_ins")
        .prefix_with("MATERIALIZED", dialect="sqlite")
    )
    start = check_ins.c.start_s
    in_break = [(and_(start >= day.seconds(b_start), start < day.seconds(b_end)), day.seconds(b_end))
                for b_start, b_end in breaks]  # fmt: skip
    ttl_end = start + settings.presence_ttl_minutes * 60
    expiry = case(*in_break, else_=ttl_end) if in_break else ttl_end
    records = sa_select(check_ins, expiry.label("expiry_s")).subquery()
    now_s = day.seconds(now) + 1  # a check-in of this very second counts
    order: dict[str, Any] = {"partition_by": records.c.attendee_id, "order_by": (records.c.start_s, records.c.id)}
    next_start = func.lead(records.c.start_s, type_=BigInteger).over(**order)
    stays = sa_select(
        records.c.zone_id,
        records.c.start_s,
        _least(session, func.coalesce(next_start, records.c.expiry_s), records.c.expiry_s, now_s).label("end_s"),
        next_start.label("next_start"),
        func.lead(records.c.zone_id, type_=Integer).over(**order).label("next_zone"),
    ).subquery()
    last = (stays.c.end_s - 1) // SLOT_SECONDS
    next_first = stays.c.next_start // SLOT_SECONDS
    # Checking in again where one already is, within the same slot: that slot is the next stay's, so
    # the attendee counts once in it.
    same_zone_same_slot = and_(stays.c.next_zone == stays.c.zone_id, next_first <= last)
    covered = (
        select(
            stays.c.zone_id,
            _greatest(session, stays.c.start_s // SLOT_SECONDS, first_slot).label("first"),
            _least(session, case((same_zone_same_slot, next_first - 1), else_=last), last_slot).label("last"),
        )
        .where(stays.c.end_s > stays.c.start_s)
        .subquery()
    )
    # A CTE: both halves of the union read it, and the database computes it once.
    spans = (
        select(covered.c.zone_id, covered.c.first, (covered.c.last + 1).label("after"))
        .where(covered.c.first <= covered.c.last)
        .cte("spans")
    )
    changes = union_all(
        select(spans.c.zone_id, spans.c.first, func.count()).group_by(spans.c.zone_id, spans.c.first),
        select(spans.c.zone_id, spans.c.after, -func.count()).group_by(spans.c.zone_id, spans.c.after),
    )
    deltas: dict[int, list[int]] = defaultdict(lambda: [0] * (slot_count + 1))
    for zone_id, slot, change in session.execute(changes):
        deltas[zone_id][slot - first_slot] += change
    zones = session.exec(select(Zone).where(Zone.event_id == event.id).order_by(Zone.name)).all()
    rows = []
    for zone in zones:
        running, people = 0, []
        for change in deltas[zone.id][:slot_count]:
            running += change
            people.append(masked_count(running))
        rows.append(HeatmapRow(zone=zone_ref(zone), people=people))
    slots = [day.starts_at + timedelta(seconds=SLOT_SECONDS * k) for k in range(slot_count)]
    return Heatmap(slot_minutes=SLOT_MINUTES, slots=slots, rows=rows)


# Contacts -------------------------------------------------------------------------------------------


def _event_contacts(event_id: int) -> SelectOfScalar[Contact]:
    """Contact copies held by the event's attendees (each exchange gives both sides one)."""
    return (
        select(Contact)
        .join(Attendee, col(Attendee.id) == col(Contact.owner_id))
        .where(col(Attendee.event_id) == event_id)
    )


def _one_copy_per_exchange() -> ColumnElement[bool]:
    """A condition keeping one copy of each exchange: the lower id's, or the only one left (the other
    side removed theirs or deleted their account)."""
    mirror = aliased(Contact)
    mirror_kept = exists().where(
        col(mirror.owner_id) == col(Contact.other_attendee_id), col(mirror.other_attendee_id) == col(Contact.owner_id)
    )
    return or_(
        col(Contact.other_attendee_id).is_(None), col(Contact.owner_id) < col(Contact.other_attendee_id), ~mirror_kept
    )


def contacts_per_hour(session: Session, event: Event, day: _Day) -> list[HourCount]:
    hour = _seconds_since(session, Contact.met_at, day.origin) // 3600
    made: dict[int, int] = dict(
        session.execute(
            _event_contacts(event.id)
            .with_only_columns(hour.label("hour"), func.count())
            .where(_one_copy_per_exchange(), col(Contact.met_at) >= day.starts_at, col(Contact.met_at) < day.ends_at)
            .group_by(hour)
        ).all()
    )
    first_hour = day.seconds(day.starts_at) // 3600
    hours = -(-day.seconds(day.ends_at) // 3600) - first_hour
    return [
        HourCount(hour=day.origin + timedelta(hours=first_hour + k), contacts=masked_count(made.get(first_hour + k, 0)))
        for k in range(hours)
    ]


def kpis(session: Session, event: Event) -> Kpis:
    attendees = session.exec(select(func.count()).select_from(Attendee).where(Attendee.event_id == event.id)).one()
    # One pass over the event's contact copies for the three figures.
    held, with_contact, made = session.execute(
        _event_contacts(event.id).with_only_columns(
            func.count(), func.count(distinct(col(Contact.owner_id))), func.count(case((_one_copy_per_exchange(), 1)))
        )
    ).one()
    shown = attendees >= MIN_SHOWN_COUNT
    share = with_contact / attendees if shown and with_contact >= MIN_SHOWN_COUNT else None
    per_attendee = held / attendees if shown and made >= MIN_SHOWN_COUNT else None
    cost = None
    if event.ticket_price_cents is not None and per_attendee:
        cost = round(event.ticket_price_cents / per_attendee)
    return Kpis(
        attendees=masked_count(attendees),
        attendees_with_contact=masked_count(with_contact),
        share_with_contact=None if share is None else round(share, 4),
        contacts_made=masked_count(made),
        contacts_per_attendee=None if per_attendee is None else round(per_attendee, 2),
        ticket_price_cents=event.ticket_price_cents,
        currency=event.currency,
        cost_per_contact_cents=cost,
    )


# Nudges and huddles -------------------------------------------------------------------------------


def nudge_figures(session: Session, event: Event, now: datetime) -> NudgeFigures:
    """Break nudges (contact-request pushes aside) per break and hallway moment started so far."""
    delivered = col(Nudge.status) == "delivered"
    opened = and_(delivered, col(Nudge.opened_at).is_not(None))
    rows = session.exec(
        select(Nudge.break_key, func.count(), func.count(case((opened, 1))))
        .where(col(Nudge.event_id) == event.id, col(Nudge.reason).in_(BREAK_REASONS), delivered)
        .group_by(Nudge.break_key)
    ).all()
    counts = {key: (sent, tapped) for key, sent, tapped in rows}
    occasions: list[tuple[Literal["break", "hallway_moment"], int, str, datetime, datetime]] = [
        ("break", row.id, row.label, row.starts_at, row.ends_at)
        for row in session.exec(
            select(AgendaBreak).where(AgendaBreak.event_id == event.id, AgendaBreak.starts_at <= now)
        )
    ] + [
        ("hallway_moment", row.id, row.label, row.starts_at, row.ends_at)
        for row in session.exec(
            select(HallwayMoment).where(HallwayMoment.event_id == event.id, HallwayMoment.starts_at <= now)
        )
    ]
    occasions.sort(key=lambda o: o[3], reverse=True)
    key_prefix = {"break": "break", "hallway_moment": "moment"}
    shown = [
        NudgeOccasion(
            kind=kind,
            id=occasion_id,
            label=label,
            starts_at=starts_at,
            ends_at=ends_at,
            sent=masked_count(counts.get(f"{key_prefix[kind]}:{occasion_id}", (0, 0))[0]),
            opened=masked_count(counts.get(f"{key_prefix[kind]}:{occasion_id}", (0, 0))[1]),
        )
        for kind, occasion_id, label, starts_at, ends_at in occasions
    ]
    # The totals add up only what each occasion shows: a masked 1 or 2 cannot be found by subtraction.
    return NudgeFigures(
        sent=masked_count(sum(o.sent for o in shown if o.sent != FEWER_THAN_MIN)),
        opened=masked_count(sum(o.opened for o in shown if o.opened != FEWER_THAN_MIN)),
        occasions=shown,
    )


def huddles(session: Session, event: Event, now: datetime) -> HuddleFigures:
    people = func.count().label("people")
    rows = session.exec(
        select(PresenceTopic.zone_id, PresenceTopic.topic_id, people)
        .join(Zone, col(Zone.id) == col(PresenceTopic.zone_id))
        .where(Zone.event_id == event.id, PresenceTopic.expires_at > now)
        .group_by(col(PresenceTopic.zone_id), col(PresenceTopic.topic_id))
        .having(func.count() >= MIN_SHOWN_COUNT)
        .order_by(people.desc(), col(PresenceTopic.zone_id), col(PresenceTopic.topic_id))
    ).all()
    listed = rows[:MAX_HUDDLES_LISTED]
    zones = {z.id: z for z in session.exec(select(Zone).where(col(Zone.id).in_({r[0] for r in listed})))}
    topics = {t.id: t for t in session.exec(select(Topic).where(col(Topic.id).in_({r[1] for r in listed})))}
    return HuddleFigures(
        now=len(rows),
        groups=[
            HuddleGroup(zone=zone_ref(zones[z]), topic=InterestPublic(id=t, name=topics[t].name), people=n)
            for z, t, n in listed
        ],
    )


# The whole picture ------------------------------------------------------------------------------------


def dashboard(session: Session, settings: Settings, event: Event) -> Dashboard:
    if session.get_bind().dialect.name == "postgresql":
        # These aggregates are estimated costly enough for PostgreSQL to compile them (JIT), which took
        # longer than running them (bench_dashboard at 70,000 attendees).
        session.execute(text("SET LOCAL jit = off"))
    now = utcnow()
    day = shown_day(event, now)
    return Dashboard(
        generated_at=now,
        day=day.day,
        timezone=event.timezone,
        zones=zone_counts(session, event.id, attendee_id=None),
        heatmap=heatmap(session, settings, event, day, now),
        contacts_per_hour=contacts_per_hour(session, event, day),
        nudges=nudge_figures(session, event, now),
        huddles=huddles(session, event, now),
        kpis=kpis(session, event),
        rendezvous=rendezvous_figures(session, event.id),
    )


def _literal_text(text: str) -> str:
    """A spreadsheet runs a cell starting with one of these as a formula: an apostrophe keeps it text."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t")) else text


def _peak(people: list[MaskedCount]) -> MaskedCount:
    shown = [p for p in people if p != FEWER_THAN_MIN]
    return max(shown) if shown else FEWER_THAN_MIN


def dashboard_csv(picture: Dashboard) -> str:
    """The KPIs and per-zone figures of `picture`, one figure a row: figure, zone, value."""
    k = picture.kpis
    rows: list[tuple[str, str, object]] = [
        ("attendees", "", k.attendees),
        ("attendees_with_contact", "", k.attendees_with_contact),
        ("share_with_contact", "", k.share_with_contact),
        ("contacts_made", "", k.contacts_made),
        ("contacts_per_attendee", "", k.contacts_per_attendee),
        ("ticket_price_cents", "", k.ticket_price_cents),
        ("currency", "", k.currency),
        ("cost_per_contact_cents", "", k.cost_per_contact_cents),
        ("nudges_sent", "", picture.nudges.sent),
        ("nudges_opened", "", picture.nudges.opened),
        ("huddles_now", "", picture.huddles.now),
        ("rendezvous_proposed", "", picture.rendezvous.proposed),
        ("rendezvous_accepted", "", picture.rendezvous.accepted),
        ("rendezvous_met", "", picture.rendezvous.met),
    ]
    peaks = {row.zone.id: _peak(row.people) for row in picture.heatmap.rows}
    for zone in picture.zones:
        name = _literal_text(zone.zone.name)
        rows.append(("people_now", name, zone.people))
        rows.append(("peak_people_today", name, peaks.get(zone.zone.id, FEWER_THAN_MIN)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["figure", "zone", "value"])
    writer.writerows((figure, zone, "" if value is None else value) for figure, zone, value in rows)
    return out.getvalue()
