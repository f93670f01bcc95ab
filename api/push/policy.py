"""When a push is worth the interruption, and what it says. Reads only: the scheduler claims and sends.

- Only while a break or a hallway moment is under way (a "window"); never in a talk outside one.
- A nudge needs a strong match (api.matching's score) in the attendee's zone or a neighbouring one;
  in a window's first minutes, someone not checked in may instead be told where to go, as a count of at
  least three people who count in attendees' figures (visible, vouched, not them) and a topic, never a name.
- At most `nudges_per_break` per window and `nudges_per_day` per local day, one per reason and window;
  the person's preferences decide which reasons they get at all.
- No nudge names the person it is about: it is read on a lock screen, possibly later. The app shows who,
  when opened, with the same checks as ever (visibility, blocks). A contact request names its sender,
  who asked to be known.
- An agreed rendezvous is reminded to both sides once, when its break is under way: outside the nudge budget
  (they asked for it), never outside its break, and naming the other side, whom both chose to meet.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from api.agenda.models import AgendaBreak, Talk, TalkSpeaker
from api.attendees.models import Attendee, AttendeeInterest
from api.attendees.visibility import counted
from api.core.config import Settings
from api.core.privacy import MIN_SHOWN_COUNT
from api.events.models import Event, Topic, Zone
from api.matching.icebreakers import NBSP, Language, huddle_line
from api.matching.schemas import Suggestion
from api.matching.service import JUST_ENDED, MAX_LIMIT, STARTS_SOON, excluded_attendee_ids_of, suggestions_for
from api.presence.models import Presence, PresenceTopic
from api.push.models import HallwayMoment, Nudge, PushPreference, PushSubscription
from api.push.webpush import Urgency

# Tried in this order: a speaker is the rarer chance, and "where to go" only applies when nothing is near.
BREAK_REASONS = ("speaker_nearby", "match_nearby", "where_to_go")
CONTACT_REQUEST = "contact_request"
RENDEZVOUS = "rendezvous"
PREFERENCE_OF = {
    "speaker_nearby": "speaker_nearby",
    "match_nearby": "break_nudges",
    "where_to_go": "break_nudges",
    CONTACT_REQUEST: "contact_requests",
}
MAX_TOPICS_SAID = 2
MAX_TITLE_CHARS = 80

_TEXTS = {
    "en": {
        "match_title": "Someone to meet at {zone}",
        "match_body": "You both follow {topics}. Open Couloir to see who, and what to say.",
        "speaker_title": "A speaker is at {zone}",
        "speaker_body": "The speaker of “{title}” is there: a good moment to say hello.",
        "where_title": "Where to go this break",
        "contact_title": "New contact request",
        "contact_title_many": "{count} new contact requests",
        "contact_body": "{name} would like to exchange details with you.",
        "rendezvous_title": "{name}, {zone}, now",
        "rendezvous_body": "Your rendezvous this break. Open Couloir to find each other.",
        "and": "and",
    },
    "fr": {
        "match_title": "Quelqu’un à rencontrer côté {zone}",
        "match_body": f"Vous avez en commun{NBSP}: {{topics}}. Ouvrez Couloir pour savoir qui, et quoi dire.",
        "speaker_title": "À ne pas manquer côté {zone}",
        "speaker_body": (
            f"La personne qui présente «{NBSP}{{title}}{NBSP}» est là{NBSP}: c’est le moment d’aller la saluer."
        ),
        "where_title": "Où aller pendant la pause",
        "contact_title": "Nouvelle demande de contact",
        "contact_title_many": "{count} nouvelles demandes de contact",
        "contact_body": "{name} aimerait échanger ses coordonnées avec vous.",
        "rendezvous_title": "{name}, {zone}, maintenant",
        "rendezvous_body": "Votre rendez-vous de cette pause. Ouvrez Couloir pour vous retrouver.",
        "and": "et",
    },
}


@dataclass(frozen=True)
class Window:
    """A break or hallway moment under way at one event."""

    key: str  # "break:<id>" or "moment:<id>": the budget and the exactly-once claims are per key
    event_id: int
    starts_at: datetime
    ends_at: datetime

    def seconds_left(self, now: datetime) -> int:
        """The TTL of its pushes: a nudge read after the break is worse than none. Never 0, which would
        make push services drop it whenever the phone sleeps."""
        return max(1, int((self.ends_at - now).total_seconds()))


@dataclass(frozen=True)
class Text:
    reason: str
    title: str
    body: str
    url: str
    urgency: Urgency


@dataclass(frozen=True)
class PlannedNudge:
    attendee_id: int
    break_slot: int
    day_slot: int
    text: Text


@dataclass
class _Spent:
    reasons: set[str] = field(default_factory=set)
    in_break: int = 0
    today: int = 0


def local_day(event: Event, now: datetime) -> date:
    return now.astimezone(ZoneInfo(event.timezone)).date()


def language(attendee: Attendee) -> Language:
    return "fr" if attendee.language == "fr" else "en"


# Read, never written: the preferences of everyone without a row (a model instance per attendee is slow).
DEFAULT_PREFERENCES = PushPreference()  # type: ignore[call-arg]  # no attendee: a template, never stored


def preferences(session: Session, attendee_id: int) -> PushPreference:
    return session.get(PushPreference, attendee_id) or DEFAULT_PREFERENCES


def windows_under_way(session: Session, now: datetime) -> list[Window]:
    """At most one window per event. Overlapping ones merge into the earliest (a moment called during a
    break extends it, on the same budget); every replica sorts the same way, so agrees on the key."""
    found = [
        *(
            (b.starts_at, f"break:{b.id}", b.event_id, b.ends_at)
            for b in session.exec(select(AgendaBreak).where(AgendaBreak.starts_at <= now, AgendaBreak.ends_at > now))
        ),
        *(
            (m.starts_at, f"moment:{m.id}", m.event_id, m.ends_at)
            for m in session.exec(
                select(HallwayMoment).where(HallwayMoment.starts_at <= now, HallwayMoment.ends_at > now)
            )
        ),
    ]
    windows: dict[int, Window] = {}
    for starts_at, key, event_id, ends_at in sorted(found):
        first = windows.get(event_id)
        if first is None:
            windows[event_id] = Window(key, event_id, starts_at, ends_at)
        elif ends_at > first.ends_at:
            windows[event_id] = replace(first, ends_at=ends_at)
    return list(windows.values())


def plan_break_nudges(session: Session, settings: Settings, window: Window, now: datetime) -> list[PlannedNudge]:
    """At most one nudge per subscribed attendee for this tick, in attendee order (claims then take
    their rows in one order on every replica, which keeps them from deadlocking). "Where to go" is
    worked out for the whole event at once: at a break's start, thousands may be due one."""
    event = session.get_one(Event, window.event_id)
    day = local_day(event, now)
    spent = _spent(session, event.id, window.key, day)
    present = set(
        session.exec(
            select(col(Presence.attendee_id)).where(col(Presence.event_id) == event.id, col(Presence.expires_at) > now)
        )
    )
    early = now < window.starts_at + timedelta(minutes=settings.nudge_where_to_go_minutes)
    crowds = _Crowds.load(session, event.id, now) if early else None
    plans, elsewhere = [], []
    for attendee, prefs in _recipients(session, event.id):
        used = spent[attendee.id]
        if used.in_break >= settings.nudges_per_break or used.today >= settings.nudges_per_day:
            continue
        wanted = {r for r in BREAK_REASONS if r not in used.reasons and getattr(prefs, PREFERENCE_OF[r])}
        if attendee.id in present:
            # A hidden attendee is shown no one by name, so has no match to be told about.
            text = _nearby(session, settings, attendee, wanted, now) if attendee.visible else None
            if text is not None:
                plans.append(PlannedNudge(attendee.id, used.in_break + 1, used.today + 1, text))
        elif crowds is not None and "where_to_go" in wanted and crowds.options(attendee.id):
            elsewhere.append((attendee, used))
    excluded = excluded_attendee_ids_of(session, [attendee.id for attendee, _ in elsewhere])
    for attendee, used in elsewhere:
        assert crowds is not None  # elsewhere is only filled with crowds known
        text = crowds.where_to_go(attendee, excluded[attendee.id])
        if text is not None:
            plans.append(PlannedNudge(attendee.id, used.in_break + 1, used.today + 1, text))
    return sorted(plans, key=lambda plan: plan.attendee_id)


def contact_request_text(attendee: Attendee, count: int, latest_name: str) -> Text:
    words = _TEXTS[language(attendee)]
    title = words["contact_title"] if count == 1 else words["contact_title_many"].format(count=count)
    return Text(CONTACT_REQUEST, title, words["contact_body"].format(name=latest_name), "/contacts", "normal")


def rendezvous_text(attendee: Attendee, other_name: str, zone_name: str) -> Text:
    """The break-start reminder of an agreed rendezvous: it names the other side, whom both chose to meet."""
    words = _TEXTS[language(attendee)]
    title = _clip(words["rendezvous_title"].format(name=other_name, zone=zone_name), MAX_TITLE_CHARS)
    return Text(RENDEZVOUS, title, words["rendezvous_body"], "/here", "high")


def _recipients(session: Session, event_id: int) -> list[tuple[Attendee, PushPreference]]:
    """Attendees with at least one device and pushes on."""
    subscribed = select(PushSubscription.attendee_id)
    rows = session.exec(
        select(Attendee, PushPreference)
        .outerjoin(PushPreference, col(PushPreference.attendee_id) == col(Attendee.id))
        .where(col(Attendee.event_id) == event_id, col(Attendee.id).in_(subscribed))
        .order_by(col(Attendee.id))
    )
    out = []
    for attendee, prefs in rows:
        prefs = DEFAULT_PREFERENCES if prefs is None else prefs  # no row: the outer join's None
        if prefs.enabled:
            out.append((attendee, prefs))
    return out


def _spent(session: Session, event_id: int, window_key: str, day: date) -> defaultdict[int, _Spent]:
    """Today's nudges per attendee. (A break running past midnight is still held to its budget: its
    earlier nudges keep their slots, and the unique constraints refuse the same slot or reason twice.)"""
    rows = session.exec(
        select(Nudge.attendee_id, Nudge.break_key, Nudge.reason).where(
            col(Nudge.event_id) == event_id, col(Nudge.day) == day, col(Nudge.break_slot).is_not(None)
        )
    )
    spent: defaultdict[int, _Spent] = defaultdict(_Spent)
    for attendee_id, break_key, reason in rows:
        used = spent[attendee_id]
        used.today += 1
        if break_key == window_key:
            used.in_break += 1
            used.reasons.add(reason)
    return spent


def _nearby(session: Session, settings: Settings, attendee: Attendee, wanted: set[str], now: datetime) -> Text | None:
    if not wanted & {"speaker_nearby", "match_nearby"}:
        return None
    # Matching lists everyone in my zone before anyone next door: ask for all it gives, so a strong
    # match next door is not hidden behind weak ones here.
    found = suggestions_for(session, attendee.id, attendee.event_id, limit=MAX_LIMIT).suggestions
    strong = [s for s in found if s.score >= settings.nudge_match_score]
    if not strong:
        return None
    words = _TEXTS[language(attendee)]
    if "speaker_nearby" in wanted:
        talks = _talks_of_speakers(session, attendee.event_id, [s.attendee.id for s in strong], now)
        for suggestion in strong:
            title = talks.get(suggestion.attendee.id)
            if title is not None:
                return Text(
                    "speaker_nearby",
                    words["speaker_title"].format(zone=suggestion.zone.name),
                    words["speaker_body"].format(title=_clip(title, MAX_TITLE_CHARS)),
                    "/here",
                    "high",
                )
    if "match_nearby" in wanted:
        # Suggestions come closest first: the nudge points at the nearest strong match.
        best: Suggestion = strong[0]
        topics = [t.name for t in best.shared_topics[:MAX_TOPICS_SAID]]
        return Text(
            "match_nearby",
            words["match_title"].format(zone=best.zone.name),
            words["match_body"].format(topics=f" {words['and']} ".join(topics)),
            "/here",
            "high",
        )
    return None


def _talks_of_speakers(session: Session, event_id: int, attendee_ids: list[int], now: datetime) -> dict[int, str]:
    """Speaker id -> the title of their talk that just ended or starts soon, for speakers who opted in to
    be found around their talk (the same window as api.matching's)."""
    rows = session.exec(
        select(TalkSpeaker.attendee_id, Talk.title, Talk.starts_at, Talk.ends_at)
        .join(Talk, col(Talk.id) == col(TalkSpeaker.talk_id))
        .join(Attendee, col(Attendee.id) == col(TalkSpeaker.attendee_id))
        .where(
            Talk.event_id == event_id,
            col(TalkSpeaker.attendee_id).in_(attendee_ids),
            Attendee.findable_as_speaker,
            Talk.ends_at >= now - JUST_ENDED,
            Talk.starts_at <= now + STARTS_SOON,
        )
    )
    nearest: dict[int, tuple[timedelta, str]] = {}
    for speaker_id, title, starts_at, ends_at in rows:
        if starts_at <= now < ends_at:
            continue  # on stage right now, so not in the hallway
        distance = max(now - ends_at, starts_at - now)
        if speaker_id not in nearest or distance < nearest[speaker_id][0]:
            nearest[speaker_id] = (distance, title)
    return {speaker_id: title for speaker_id, (_, title) in nearest.items()}


@dataclass
class _Crowds:
    """Who follows which topic in which zone, of the people present who count in attendees' figures
    (api/attendees/visibility.py), read once per tick for a whole event: asking matching for each of
    thousands of people at a break's start would take minutes."""

    zones: dict[int, Zone]
    topic_names: dict[int, str]
    # topic id -> (zone id, attendee ids) of groups big enough to be named
    groups: dict[int, list[tuple[int, set[int]]]]
    # subscribed attendee id -> topic ids
    interests: dict[int, list[int]]

    @classmethod
    def load(cls, session: Session, event_id: int, now: datetime) -> "_Crowds":
        zones = {z.id: z for z in session.exec(select(Zone).where(Zone.event_id == event_id))}
        people: defaultdict[tuple[int, int], set[int]] = defaultdict(set)
        for zone_id, topic_id, attendee_id, traits in session.exec(
            select(
                PresenceTopic.zone_id, PresenceTopic.topic_id, PresenceTopic.attendee_id, PresenceTopic.traits
            ).where(col(PresenceTopic.zone_id).in_(list(zones)), col(PresenceTopic.expires_at) > now)
        ):
            if counted(traits):
                people[zone_id, topic_id].add(attendee_id)
        groups: defaultdict[int, list[tuple[int, set[int]]]] = defaultdict(list)
        for (zone_id, topic_id), ids in people.items():
            if len(ids) >= MIN_SHOWN_COUNT:  # exclusions only shrink a group
                groups[topic_id].append((zone_id, ids))
        interests: defaultdict[int, list[int]] = defaultdict(list)
        subscribed = select(PushSubscription.attendee_id).join(Attendee).where(Attendee.event_id == event_id)
        for attendee_id, topic_id in session.exec(
            select(AttendeeInterest.attendee_id, AttendeeInterest.topic_id).where(
                col(AttendeeInterest.attendee_id).in_(subscribed)
            )
        ):
            interests[attendee_id].append(topic_id)
        names = dict(session.exec(select(Topic.id, Topic.name).where(Topic.event_id == event_id)).all())
        return cls(zones, names, dict(groups), dict(interests))

    def options(self, attendee_id: int) -> list[tuple[int, int, set[int]]]:
        """(topic id, zone id, attendee ids) of the groups sharing one of the attendee's topics."""
        return [
            (topic_id, zone_id, ids)
            for topic_id in self.interests.get(attendee_id, ())
            for zone_id, ids in self.groups.get(topic_id, ())
        ]

    def where_to_go(self, attendee: Attendee, excluded: set[int]) -> Text | None:
        """The biggest group sharing one of the attendee's topics, counted without the people matching
        never shows them (`excluded`: blocks either way, contacts)."""
        # len(excluded & ids): the intersection walks the smaller set, excluded (a handful), not the group.
        counted = [
            (len(ids) - len(excluded & ids), zone_id, topic_id) for topic_id, zone_id, ids in self.options(attendee.id)
        ]
        count = max(c[0] for c in counted)
        if count < MIN_SHOWN_COUNT:
            return None
        _, zone_id, topic_id = min(
            (c for c in counted if c[0] == count), key=lambda c: (self.zones[c[1]].name, self.topic_names[c[2]])
        )
        lang = language(attendee)
        line = huddle_line(lang, self.topic_names[topic_id], count, self.zones[zone_id].name)
        return Text("where_to_go", _TEXTS[lang]["where_title"], f"{line}.", "/here", "normal")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
