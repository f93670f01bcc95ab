"""Who to meet now: people nearby who share a topic, huddles, and where to go when nobody is near.

Only people present now are ranked: the process's crowd (api/matching/crowd.py) mirrors PresenceTopic (a
visible, present person's topics by zone) and ranks the people sharing the caller's topics in memory; the
database then gives the best few's cards. The work grows with the crowd in a few zones, never with the
number of registered attendees. Topic rarity, which counts every registration, is cached per process.
"""

import hashlib
import itertools
import json
import math
import threading
import time
import typing
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Row, String, bindparam, case, cast, func, literal_column, null, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import CompoundSelect
from sqlmodel import Session, col, select

from api.agenda.models import Talk, TalkSpeaker, TalkTopic
from api.attendees.models import Attendee, AttendeeInterest
from api.attendees.schemas import AttendeeCard, InterestPublic, Role
from api.attendees.service import photo_url
from api.auth.models import signed_in
from api.contacts.models import Contact
from api.core.db import UTCDateTime, utcnow
from api.core.errors import SIGNED_OUT, NotAuthenticated
from api.core.privacy import masked_count, masked_sort_key
from api.events.models import Event, Topic, Zone, ZoneNeighbour
from api.matching import icebreakers
from api.matching.crowd import Crowd, crowd_of
from api.matching.schemas import Huddle, Missing, Suggestion, Suggestions, ZoneMatches
from api.presence.models import TRAIT_BITS, Presence
from api.presence.schemas import ZoneRef
from api.safety.models import Block
from api.saved.models import SavedPerson

DEFAULT_LIMIT = 5
MAX_LIMIT = 20
# "More" pages through the ranked list this far: past it, a zone's crowd is better met by huddles and counts.
MAX_OFFSET = 100
EXCLUSION_CHUNK = 1000  # ids per IN list, well under SQLite's bound parameters
MAX_HUDDLES = 3
# "Just ended" and "starts soon" for talks worth mentioning, and for the speaker at the coffee bar.
JUST_ENDED = timedelta(minutes=30)
STARTS_SOON = timedelta(minutes=60)
# Added to the sum of shared topics' rarity weights (each at least 1). GOAL_WEIGHT counts once per goal
# of mine that their goals or role complement.
GOAL_WEIGHT = 2.0
SPEAKER_WEIGHT = 2.0
OPEN_TO_CHAT_WEIGHT = 0.5
RARITY_TTL_SECONDS = 60.0

# My goal -> the goals or roles of people worth meeting for it. Investors tend to come as "partner".
COMPLEMENTS: dict[icebreakers.Goal, tuple[icebreakers.Goal | icebreakers.Role, ...]] = {
    "hire": ("get_hired",),
    "get_hired": ("hire",),
    "find_clients": ("exhibitor",),
    "meet_speakers": ("speaker",),
    "find_investors": ("partner",),
    "partner": ("partner", "find_investors"),
}


def _exclusions(whose: Callable[[Any], Any]) -> CompoundSelect[Any]:
    """People never suggested to an attendee nor counted for them, besides themselves: anyone blocked either
    way, and people already in their contacts. Keep this the one place. As rows of (whose list, who is on it)
    for the attendees `whose(column)` picks."""
    return union_all(
        select(Block.blocker_id, Block.blocked_id).where(whose(Block.blocker_id)),
        select(Block.blocked_id, Block.blocker_id).where(whose(Block.blocked_id)),
        select(Contact.owner_id, Contact.other_attendee_id).where(
            whose(col(Contact.owner_id)), col(Contact.other_attendee_id).is_not(None)
        ),
    )


# For the attendees in :attendee_ids. Built once.
_EXCLUSIONS = _exclusions(lambda column: column.in_(bindparam("attendee_ids", expanding=True)))


def excluded_attendee_ids_of(session: Session, attendee_ids: Sequence[int]) -> dict[int, set[int]]:
    """Who is left out (`_exclusions`, and themselves) for each of many attendees, one statement per
    thousand: the nudge scheduler asks for thousands at a break's start."""
    excluded = {attendee_id: {attendee_id} for attendee_id in attendee_ids}
    ids = list(excluded)
    for start in range(0, len(ids), EXCLUSION_CHUNK):
        chunk = ids[start : start + EXCLUSION_CHUNK]
        for owner, other in session.connection().execute(_EXCLUSIONS, {"attendee_ids": chunk}):
            excluded[owner].add(other)
    return excluded


def _language(me: "_Me") -> icebreakers.Language:
    return "fr" if me.language == "fr" else "en"


def complementary_pairs(
    my_goals: Sequence[icebreakers.Goal], their_goals: Sequence[icebreakers.Goal], their_role: icebreakers.Role
) -> list[tuple[icebreakers.Goal, icebreakers.Goal | icebreakers.Role]]:
    """(my goal, their goal or role) pairs, in the order of my goals."""
    theirs = {*their_goals, their_role}
    return [(mine, match) for mine in my_goals for match in COMPLEMENTS.get(mine, ()) if match in theirs]


# Rarity ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rarity:
    attendees: int
    followers: dict[int, int]

    def weight(self, topic_id: int) -> float:
        """Smoothed inverse document frequency: a topic few attendees follow weighs more (always >= 1)."""
        return math.log((1 + self.attendees) / (1 + self.followers.get(topic_id, 0))) + 1


_rarity_cache: dict[tuple[int, datetime], tuple[float, Rarity, int]] = {}
_rarity_versions = itertools.count(1)


def topic_rarity(session: Session, event: "Event | _EventFacts") -> Rarity:
    return _rarity_and_version(session, event)[0]


def _rarity_and_version(session: Session, event: "Event | _EventFacts") -> tuple[Rarity, int]:
    """The event's rarity, and a number that changes when it does (answers remembered with the old one are
    computed afresh)."""
    # Counting every attendee's interests grows with registrations, so it runs at most once a minute
    # per process. The key holds the creation time because a deleted event's id can come back (SQLite).
    key = (event.id, event.created_at)
    cached = _rarity_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < RARITY_TTL_SECONDS:
        return cached[1], cached[2]
    attendees = session.exec(select(func.count()).select_from(Attendee).where(Attendee.event_id == event.id)).one()
    followers = session.exec(
        select(AttendeeInterest.topic_id, func.count())
        .join(Topic, col(Topic.id) == col(AttendeeInterest.topic_id))
        .where(Topic.event_id == event.id)
        .group_by(col(AttendeeInterest.topic_id))
    ).all()
    rarity = Rarity(attendees=attendees, followers=dict(followers))
    version = cached[2] if cached is not None and cached[1] == rarity else next(_rarity_versions)
    _rarity_cache[key] = (time.monotonic(), rarity, version)
    return rarity, version


# Candidates -----------------------------------------------------------------------------------------


@dataclass
class _Match:
    """A ranked person, with what their card and icebreaker need."""

    attendee_id: int
    zone_id: int
    score: float
    display_name: str
    headline: str
    company: str
    ask_me_about: str
    find_me_hint: str
    photo_etag: str | None
    role: icebreakers.Role
    goals: list[icebreakers.Goal]
    findable_as_speaker: bool
    interests: list[InterestPublic] = field(default_factory=list)


# The cards of the ranked people, each with their interests by name: one statement, built once. Visible
# people of the caller's event only, read now: someone who hid or was erased in between is not shown.
_CARDS = (
    sa_select(
        col(Attendee.id), col(Attendee.display_name), col(Attendee.headline), col(Attendee.company),
        col(Attendee.ask_me_about), col(Attendee.find_me_hint), col(Attendee.photo_etag), col(Attendee.role),
        # Goals as their JSON text, decoded once per person rather than on each of their interest rows.
        cast(col(Attendee.goals), String), col(Attendee.findable_as_speaker), col(Topic.id), col(Topic.name),
    )
    .outerjoin(AttendeeInterest, col(AttendeeInterest.attendee_id) == col(Attendee.id))
    .outerjoin(Topic, col(Topic.id) == col(AttendeeInterest.topic_id))
    .where(
        col(Attendee.id).in_(bindparam("attendee_ids", expanding=True)),
        col(Attendee.event_id) == bindparam("event_id"),
        col(Attendee.visible),
    )
    .order_by(col(Attendee.id), col(Topic.name))
)  # fmt: skip


def _ranked(
    session: Session,
    crowd: Crowd,
    *,
    me: "_Me",
    zone_ids: list[int],
    topic_ids: list[int],
    excluded: set[int],
    rarity: Rarity,
    speaking: set[int],
    saved: set[int],
    limit: int,
) -> tuple[list[_Match], list[tuple[int, int, int]]]:
    """The best `limit` matches, my zone (the first of `zone_ids`) first, people I saved before everyone else;
    and the (zone id, topic id, people) groups of at least three people I may meet who share one of my topics.

    Score: the rarity weights of the shared topics, GOAL_WEIGHT per goal of mine whose complement they have,
    SPEAKER_WEIGHT for a findable speaker of a talk around now, OPEN_TO_CHAT_WEIGHT if they are open to chat.
    """
    goal_masks = [sum(TRAIT_BITS[name] for name in COMPLEMENTS.get(goal, ())) for goal in me.goals]
    goal_masks = [mask for mask in goal_masks if mask]
    findable, open_to_chat = TRAIT_BITS["findable_as_speaker"], TRAIT_BITS["open_to_chat"]
    by_traits: dict[int, float] = {}  # a crowd has few distinct traits: each one's bonus is worked out once

    def bonus(attendee_id: int, traits: int) -> float:
        extra = by_traits.get(traits)
        if extra is None:
            extra = sum(GOAL_WEIGHT for mask in goal_masks if traits & mask)
            extra = by_traits[traits] = extra + (OPEN_TO_CHAT_WEIGHT if traits & open_to_chat else 0.0)
        return extra + SPEAKER_WEIGHT if traits & findable and attendee_id in speaking else extra

    max_bonus = GOAL_WEIGHT * len(goal_masks) + (SPEAKER_WEIGHT if speaking else 0.0) + OPEN_TO_CHAT_WEIGHT
    weights = {topic_id: rarity.weight(topic_id) for topic_id in topic_ids}
    first = crowd.placed_among(saved - excluded, zone_ids=zone_ids, weights=weights, bonus=bonus)[:limit]
    best, groups = crowd.rank(
        zone_ids=zone_ids,
        weights=weights,
        excluded=excluded,
        bonus=bonus,
        max_bonus=max_bonus,
        limit=limit - len(first),
        ranked_already={r.attendee_id for r in first},
    )
    best = first + best
    if not best:
        return [], groups
    cards: dict[int, _Match] = {}
    values = {"attendee_ids": [r.attendee_id for r in best], "event_id": me.event_id}
    for row in session.connection().execute(_CARDS, values):
        attendee_id, name, headline, company, ask, hint, etag, role, goals, findable_as, topic_id, topic = row
        card = cards.get(attendee_id)
        if card is None:
            role = typing.cast(icebreakers.Role, role)  # the column holds the schema's roles (its only writer)
            card = cards[attendee_id] = _Match(
                attendee_id, 0, 0.0, name, headline, company, ask, hint, etag, role, json.loads(goals), findable_as
            )
        if topic_id is not None:
            card.interests.append(InterestPublic(id=topic_id, name=topic))
    matches = []
    for ranked in best:
        card = cards.get(ranked.attendee_id)
        if card is not None:
            card.zone_id, card.score = ranked.zone_id, ranked.score
            matches.append(card)
    return matches, groups


# Talks ----------------------------------------------------------------------------------------------


@dataclass
class _NearbyTalk:
    title: str
    room: str
    starts_at: datetime
    ends_at: datetime
    topic_ids: set[int] = field(default_factory=set)
    speakers: dict[int, str] = field(default_factory=dict)  # attendee id -> display name
    abstract: str = ""


def _relation(talk: _NearbyTalk, now: datetime) -> icebreakers.Relation:
    if talk.ends_at <= now:
        return "just_ended"
    return "upcoming" if talk.starts_at > now else "now"


def _speaking_now(talks: list[_NearbyTalk], now: datetime) -> dict[int, _NearbyTalk]:
    """Speaker id -> their talk that just ended or starts soon (the nearest one)."""
    out: dict[int, _NearbyTalk] = {}
    for talk in sorted(talks, key=lambda t: _distance(t, now), reverse=True):
        if _relation(talk, now) != "now":
            out.update(dict.fromkeys(talk.speakers, talk))
    return out


def _distance(talk: _NearbyTalk, now: datetime) -> timedelta:
    return max(now - talk.ends_at, talk.starts_at - now, timedelta(0))


def _mention(
    other: _Match, shared: list[int], talks: list[_NearbyTalk], speaking: dict[int, _NearbyTalk], now: datetime
) -> icebreakers.TalkMention | None:
    """Their own talk if they opted in to be found as its speaker, else the talk closest to a shared topic."""
    own = speaking.get(other.attendee_id) if other.findable_as_speaker else None
    if own is not None:
        return _talk_mention(own, now, other_is_speaker=True)
    mine = set(shared)
    related = [t for t in talks if mine & t.topic_ids]
    if not related:
        return None
    order = {"just_ended": 0, "upcoming": 1, "now": 2}
    best = min(related, key=lambda t: (-len(mine & t.topic_ids), order[_relation(t, now)], _distance(t, now)))
    return _talk_mention(best, now, other_is_speaker=False)


def _talk_mention(talk: _NearbyTalk, now: datetime, *, other_is_speaker: bool) -> icebreakers.TalkMention:
    return icebreakers.TalkMention(
        title=talk.title,
        starts_at=talk.starts_at,
        ends_at=talk.ends_at,
        relation=_relation(talk, now),
        room=talk.room or None,
        speaker_names=list(talk.speakers.values()),
        other_is_speaker=other_is_speaker,
    )


# Suggestions ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Me:
    """The caller's own part of their profile that suggestions use."""

    id: int
    event_id: int
    language: str
    goals: list[icebreakers.Goal]
    visible: bool


@dataclass
class _Caller:
    """What a suggestions call reads about the caller and their event, in one statement (_CALLER)."""

    event_id: int
    me: _Me | None = None  # None: no such attendee in this event (any more)
    event: "_EventFacts | None" = None
    topics: dict[int, str] = field(default_factory=dict)  # id -> name
    zones: dict[int, ZoneRef] = field(default_factory=dict)  # every zone of the event
    here: int | None = None  # the zone they are checked in at now
    neighbours: list[int] = field(default_factory=list)  # of `here`
    excluded: set[int] = field(default_factory=set)  # themselves and `_exclusions`
    talks: dict[int, _NearbyTalk] = field(default_factory=dict)  # that just ended, are on, or start soon
    saved: set[int] = field(default_factory=set)  # the people they saved for later
    abstracts: dict[int, str] = field(default_factory=dict)  # of `talks`, by talk id
    digest: bytes = b""  # of every row read, as read


@dataclass(frozen=True)
class _EventFacts:
    id: int
    name: str
    subject: str
    timezone: str
    created_at: datetime


_ME: BindParameter[int] = bindparam("attendee_id")
_EVENT: BindParameter[int] = bindparam("event_id")
_NOW = bindparam("now", type_=UTCDateTime)
_HERE = select(Presence.zone_id).where(Presence.attendee_id == _ME, Presence.expires_at > _NOW)
_MY_EXCLUSIONS = _exclusions(lambda column: column == _ME).subquery()
_NO_TIME, _NO_ID = cast(null(), UTCDateTime), cast(null(), Integer)


def _row(what: str, *columns: Any) -> list[Any]:
    """A row of _CALLER: what it is, then its nine columns, the missing ones NULL."""
    return [literal_column(f"'{what}'"), *columns, *[null()] * (8 - len(columns))]


def _in_callers_language(named: type[Topic] | type[Zone]) -> Any:
    """The name in the caller's language when the organizer gave one, else the default: what the reasons,
    icebreakers and huddle lines say, and the names the answer carries."""
    language = select(Attendee.language).where(Attendee.id == _ME).scalar_subquery()
    return case(
        (language == "fr", func.coalesce(named.name_fr, named.name)), else_=func.coalesce(named.name_en, named.name)
    )


def _caller_statement(*conditions: Any) -> Any:
    """One round trip instead of eight, built once: rows of (what, id, name, detail, text, time, time, id, id).
    The event's row comes first because the first SELECT gives the columns their types. The caller's row
    (none: no such attendee) must meet `conditions` too."""
    return union_all(
        sa_select(
            literal_column("'event'"), col(Event.id), col(Event.name), col(Event.subject), col(Event.timezone),
            col(Event.created_at), _NO_TIME, _NO_ID, _NO_ID,
        ).where(col(Event.id) == _EVENT),
        # The caller: language, goals (as JSON text) and visibility.
        select(
            *_row(
                "me", Attendee.id, Attendee.language, cast(Attendee.goals, String),
                case((col(Attendee.visible), literal_column("'visible'")), else_=literal_column("'hidden'")),
            )
        ).where(Attendee.id == _ME, Attendee.event_id == _EVENT, *conditions),
        select(*_row("topic", Topic.id, _in_callers_language(Topic)))
        .join(AttendeeInterest, AttendeeInterest.topic_id == Topic.id)
        .where(AttendeeInterest.attendee_id == _ME),
        select(*_row("zone", Zone.id, _in_callers_language(Zone), Zone.kind)).where(Zone.event_id == _EVENT),
        select(*_row("here", Presence.zone_id)).where(Presence.attendee_id == _ME, Presence.expires_at > _NOW),
        select(*_row("neighbour", col(ZoneNeighbour.neighbour_id))).where(col(ZoneNeighbour.zone_id).in_(_HERE)),
        select(*_row("excluded", _MY_EXCLUSIONS.c[1])),
        select(*_row("saved", SavedPerson.saved_id)).where(SavedPerson.owner_id == _ME),
        # The abstracts of those talks, a row each: a talk is on a topic its organizer tagged, or one it names.
        select(*_row("abstract", Talk.id, Talk.abstract)).where(
            Talk.event_id == _EVENT,
            Talk.ends_at >= bindparam("since", type_=UTCDateTime),
            Talk.starts_at <= bindparam("until", type_=UTCDateTime),
        ),
        # Talks that just ended, are on, or start soon (what the hallway talks about), a row per topic and
        # speaker.
        select(
            *_row(
                "talk", Talk.id, Talk.title, Talk.room, Attendee.display_name, Talk.starts_at, Talk.ends_at,
                TalkTopic.topic_id, Attendee.id,
            )
        )
        .outerjoin(TalkTopic, TalkTopic.talk_id == Talk.id)
        .outerjoin(TalkSpeaker, TalkSpeaker.talk_id == Talk.id)
        .outerjoin(Attendee, Attendee.id == TalkSpeaker.attendee_id)
        .where(
            Talk.event_id == _EVENT,
            Talk.ends_at >= bindparam("since", type_=UTCDateTime),
            Talk.starts_at <= bindparam("until", type_=UTCDateTime),
        ),
    )  # fmt: skip


# How each kind of _CALLER row is read. The union's columns are shared, so what a column holds depends on the
# row's kind (the caller's visibility comes as 'visible' or 'hidden' in the event's time zone column): each
# kind's columns are named here, in the order its SELECT above gives them.
_CallerRow = Row[*tuple[Any, ...]]


def _read_event(caller: "_Caller", row: _CallerRow) -> None:
    _, event_id, name, subject, timezone, created_at = row[:6]
    caller.event = _EventFacts(event_id, name, subject, timezone, created_at)


def _read_me(caller: "_Caller", row: _CallerRow) -> None:
    _, attendee_id, language, goals_json, visibility = row[:5]
    caller.me = _Me(attendee_id, caller.event_id, language, json.loads(goals_json), visibility == "visible")


def _read_topic(caller: "_Caller", row: _CallerRow) -> None:
    _, topic_id, name = row[:3]
    caller.topics[topic_id] = name


def _read_zone(caller: "_Caller", row: _CallerRow) -> None:
    _, zone_id, name, kind = row[:4]
    caller.zones[zone_id] = ZoneRef(id=zone_id, name=name, kind=kind)


def _read_here(caller: "_Caller", row: _CallerRow) -> None:
    caller.here = row[1]


def _read_neighbour(caller: "_Caller", row: _CallerRow) -> None:
    caller.neighbours.append(row[1])


def _read_excluded(caller: "_Caller", row: _CallerRow) -> None:
    caller.excluded.add(row[1])


def _read_saved(caller: "_Caller", row: _CallerRow) -> None:
    caller.saved.add(row[1])


def _read_abstract(caller: "_Caller", row: _CallerRow) -> None:
    _, talk_id, abstract = row[:3]
    caller.abstracts[talk_id] = abstract or ""


def _read_talk(caller: "_Caller", row: _CallerRow) -> None:
    """A talk around now, with one of its topics and one of its speakers (a row per topic and speaker)."""
    _, talk_id, title, room, speaker_name, starts_at, ends_at, topic_id, speaker_id = row
    talk = caller.talks.setdefault(talk_id, _NearbyTalk(title, room, starts_at, ends_at))
    if topic_id is not None:
        talk.topic_ids.add(topic_id)
    if speaker_id is not None:
        talk.speakers[speaker_id] = speaker_name


_READ_ROW: dict[str, Callable[["_Caller", _CallerRow], None]] = {
    "event": _read_event,
    "me": _read_me,
    "topic": _read_topic,
    "zone": _read_zone,
    "here": _read_here,
    "neighbour": _read_neighbour,
    "excluded": _read_excluded,
    "saved": _read_saved,
    "abstract": _read_abstract,
    "talk": _read_talk,
}
_CALLER = _caller_statement()
# A phone's call: its access token's session must still be signed in, checked in the same round trip.
_SIGNED_IN_CALLER = _caller_statement(signed_in(bindparam("session_id"), attendee_id=_ME))


def _caller(session: Session, attendee_id: int, event_id: int, session_id: str | None, now: datetime) -> _Caller:
    caller = _Caller(event_id, excluded={attendee_id})
    statement = _CALLER
    values = {"attendee_id": attendee_id, "event_id": event_id, "now": now, "since": now - JUST_ENDED,
              "until": now + STARTS_SOON}  # fmt: skip
    if session_id is not None:
        statement, values = _SIGNED_IN_CALLER, values | {"session_id": session_id}
    digest = hashlib.blake2b(digest_size=16)
    for row in session.connection().execute(statement, values):
        digest.update(repr(tuple(row)).encode())
        _READ_ROW[row[0]](caller, row)
    # In a fixed order whatever the order of the rows: speakers' names are listed in icebreakers.
    caller.talks = {talk_id: caller.talks[talk_id] for talk_id in sorted(caller.talks)}
    for talk_id, talk in caller.talks.items():
        talk.speakers = dict(sorted(talk.speakers.items()))
        talk.abstract = caller.abstracts.get(talk_id, "")
        talk.topic_ids |= icebreakers.topics_named(f"{talk.title}\n{talk.abstract}", caller.topics)
    caller.digest = digest.digest()
    return caller


@dataclass
class _Inputs:
    """Everything a suggestions answer is computed from, read or worked out before it; `digest` covers all of
    it but the crowd, whose zones have versions of their own (Crowd.versions)."""

    caller: _Caller
    me: _Me
    now: datetime
    limit: int
    offset: int
    crowd: Crowd | None = None  # None: nobody to rank or count (the caller follows no topic)
    zone_versions: dict[int, int] = field(default_factory=dict)  # every zone of the event, taken before ranking
    ranked_zones: list[int] = field(default_factory=list)  # mine, then its neighbours: none unless I may see names
    rarity: Rarity | None = None
    speaking: dict[int, _NearbyTalk] = field(default_factory=dict)
    digest: bytes = b""


def _inputs(
    session: Session, attendee_id: int, event_id: int, session_id: str | None, limit: int, offset: int
) -> _Inputs:
    now = utcnow()
    caller = _caller(session, attendee_id, event_id, session_id, now)
    me = caller.me
    if me is None or caller.event is None:
        raise NotAuthenticated(SIGNED_OUT)
    inputs = _Inputs(caller, me, now, limit, offset)
    # Besides the rows read: what depends on the time (which talks are on, whose talk is nearest) and the
    # rarity of topics, which the process keeps for a minute.
    talks = caller.talks
    inputs.speaking = _speaking_now(list(talks.values()), now)
    talk_ids = {id(talk): talk_id for talk_id, talk in talks.items()}
    derived: list[object] = [
        limit,
        offset,
        [(talk_id, _relation(talk, now)) for talk_id, talk in talks.items()],
        sorted((speaker, talk_ids[id(talk)]) for speaker, talk in inputs.speaking.items()),
    ]
    if caller.topics:
        inputs.crowd = crowd_of(session.get_bind().engine)
        inputs.crowd.sync(session.connection(), now)
        if me.visible and caller.here is not None:
            inputs.ranked_zones = [caller.here, *(z for z in caller.neighbours if z != caller.here)]
            inputs.rarity, version = _rarity_and_version(session, caller.event)
            derived.append(version)
        # Taken before ranking: a change read meanwhile by another call makes a newer version, never an older.
        inputs.zone_versions = dict(zip(caller.zones, inputs.crowd.versions(list(caller.zones)), strict=True))
    inputs.digest = hashlib.blake2b(caller.digest + repr(derived).encode(), digest_size=16).digest()
    return inputs


def suggestions_for(
    session: Session,
    attendee_id: int,
    event_id: int,
    *,
    session_id: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Suggestions:
    """Suggestions for attendee `attendee_id` of event `event_id`: people in their zone then its neighbours;
    else where to go, as masked counts. Refused (NotAuthenticated) if there is no such attendee (any more), or
    when the caller's access token's session (`session_id`, a phone's call) ended: their profile is read with
    the rest, not before.

    `offset` skips the first people of the ranked list ("more"); `more` says whether any are left after.
    A hidden caller gets only "where to go": you see people by name only while they can see you.
    """
    return _answer(session, _inputs(session, attendee_id, event_id, session_id, limit, offset))[0]


@dataclass(frozen=True)
class Answer:
    """A suggestions answer's validator (a strong ETag: a hash of its JSON), and the JSON, unless the caller
    holds this very answer already."""

    etag: str
    body: bytes | None


@dataclass(frozen=True)
class _Answered:
    inputs: bytes  # _Inputs.digest
    zones: tuple[int, ...]  # the crowd's zones the answer read
    versions: tuple[int, ...]  # theirs then
    etag: str


# The last answer given to each caller, per crowd (whose zone versions it holds); bounded, oldest out first.
_answered: "weakref.WeakKeyDictionary[Crowd, dict[int, _Answered]]" = weakref.WeakKeyDictionary()
_answered_lock = threading.Lock()
MAX_ANSWERED = 100_000


def suggestions_unless_known(
    session: Session,
    attendee_id: int,
    event_id: int,
    *,
    session_id: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    known: str | None = None,
) -> Answer:
    """`suggestions_for`, as JSON with its ETag; without the JSON when `known` (the caller's If-None-Match) is
    the answer's ETag already.

    Phones ask every 30 s, and most answers have not changed since. Everything the answer is computed from is
    read as for a new answer (_inputs: the caller's rows, whose reading also refuses a caller gone or signed
    out, the crowd brought up to date) and compared with what the last answer this process gave the caller
    was computed from; if nothing differs, the answer would be the same one, and is not computed again.
    Whatever changes what a suggestion shows of another person marks them changed (presence.mark_changed), so
    the crowd's zone where they are gets a new version. An answer computed afresh that comes out the same as
    the caller's (another process gave it, or a change elsewhere did not touch it) is not sent either.
    """
    inputs = _inputs(session, attendee_id, event_id, session_id, limit, offset)
    crowd = inputs.crowd
    remembered = _answers_of(crowd).get(attendee_id) if crowd is not None else None
    if (
        known is not None
        and remembered is not None
        and remembered.etag == known
        and remembered.inputs == inputs.digest
        and crowd is not None
        and crowd.versions(list(remembered.zones)) == list(remembered.versions)
    ):
        return Answer(known, None)
    result, zones_read = _answer(session, inputs)
    body = result.model_dump_json().encode()
    etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
    if crowd is not None:
        zones = tuple(zones_read)
        versions = tuple(inputs.zone_versions[z] for z in zones)
        _remember(crowd, attendee_id, _Answered(inputs.digest, zones, versions, etag))
    return Answer(etag, None if etag == known else body)


def _answers_of(crowd: Crowd) -> dict[int, _Answered]:
    with _answered_lock:
        answers = _answered.get(crowd)
        if answers is None:
            answers = _answered[crowd] = {}
        return answers


def _remember(crowd: Crowd, attendee_id: int, answered: _Answered) -> None:
    answers = _answers_of(crowd)
    with _answered_lock:
        answers.pop(attendee_id, None)
        answers[attendee_id] = answered
        if len(answers) > MAX_ANSWERED:
            del answers[next(iter(answers))]


def _answer(session: Session, inputs: _Inputs) -> tuple[Suggestions, list[int]]:
    """The answer, and the crowd's zones it read."""
    caller, attendee, now = inputs.caller, inputs.me, inputs.now
    names = caller.topics
    topic_ids = list(names)
    my_zone = caller.zones[caller.here] if caller.here is not None else None
    missing: list[Missing] = []
    if not attendee.visible:
        missing.append("visibility")
    if not topic_ids:
        missing.append("interests")
    if my_zone is None:
        missing.append("check_in")
    result = Suggestions(zone=my_zone, missing=missing, suggestions=[], more=False, huddles=[], where_to_go=[])
    crowd = inputs.crowd
    if crowd is None:
        return result, []
    excluded = caller.excluded
    zones_read = inputs.ranked_zones
    event, rarity, speaking = caller.event, inputs.rarity, inputs.speaking
    if zones_read and event is not None and my_zone is not None and rarity is not None:
        talks = list(caller.talks.values())
        # One more than the page: whether there is more.
        end = inputs.offset + inputs.limit
        best, groups = _ranked(
            session,
            crowd,
            me=attendee,
            zone_ids=inputs.ranked_zones,
            topic_ids=topic_ids,
            excluded=excluded,
            rarity=rarity,
            speaking=set(speaking),
            saved=caller.saved,
            limit=end + 1,
        )
        result.more = len(best) > end
        result.suggestions = _suggestions(
            event, attendee, best[:end], caller.zones, my_zone, names, rarity, talks, speaking, caller.saved, now
        )[inputs.offset :]
        result.huddles = _huddles(attendee, groups, caller.zones, my_zone, names, rarity)
    # Where people who share my topics are, as masked counts, whoever is near: the next place to go.
    zones = caller.zones
    counts = crowd.matches_by_zone(zones, topic_ids, excluded)
    ranked = sorted(counts, key=lambda z: (-masked_sort_key(counts[z]), zones[z].name))
    result.where_to_go = [ZoneMatches(zone=zones[z], matches=masked_count(counts[z])) for z in ranked]
    return result, list(zones)


def _suggestions(
    event: _EventFacts,
    me: _Me,
    best: list[_Match],
    zones: dict[int, ZoneRef],
    my_zone: ZoneRef,
    names: dict[int, str],
    rarity: Rarity,
    talks: list[_NearbyTalk],
    speaking: dict[int, _NearbyTalk],
    saved: set[int],
    now: datetime,
) -> list[Suggestion]:
    """The suggestions of `best`, in its order, their icebreakers varied across the list (one screen)."""
    contexts = []
    for other in best:
        zone = zones[other.zone_id]
        shared = sorted((i.id for i in other.interests if i.id in names), key=lambda t: (-rarity.weight(t), names[t]))
        neighbouring = zone.id != my_zone.id
        context = icebreakers.IcebreakerContext(
            language=_language(me),
            event_name=event.name,
            event_subject=event.subject,
            timezone=event.timezone,
            other_name=other.display_name,
            pair_key=f"event{event.id}:{min(me.id, other.attendee_id)}:{max(me.id, other.attendee_id)}",
            shared_topics=[names[t] for t in shared],
            # My own zone reads best by its kind ("at the coffee bar"), a neighbour by its name.
            zone_name=zone.name if neighbouring else None,
            zone_kind=typing.cast(icebreakers.ZoneKind, zone.kind),  # the same names
            neighbouring=neighbouring,
            talk=_mention(other, shared, talks, speaking, now),
            my_goals=me.goals,
            their_goals=other.goals,
            their_role=other.role,
            complementary=complementary_pairs(me.goals, other.goals, other.role),
        )
        contexts.append((other, zone, neighbouring, shared, context))
    lines = icebreakers.screen_icebreakers([context for *_, context in contexts])
    out = []
    for (other, zone, neighbouring, shared, context), line in zip(contexts, lines, strict=True):
        card = AttendeeCard(
            id=other.attendee_id,
            display_name=other.display_name,
            headline=other.headline,
            company=other.company,
            ask_me_about=other.ask_me_about,
            find_me_hint=other.find_me_hint,
            photo_url=photo_url(event.id, other.attendee_id, other.photo_etag),
            role=Role(other.role),
            interests=other.interests,
        )
        out.append(
            Suggestion(
                attendee=card,
                zone=zone,
                neighbouring=neighbouring,
                shared_topics=[InterestPublic(id=t, name=names[t]) for t in shared],
                score=round(other.score, 3),
                reason=icebreakers.reason(context),
                icebreaker=line,
                saved=other.attendee_id in saved,
            )
        )
    return out


def _huddles(
    me: _Me,
    groups: list[tuple[int, int, int]],
    zones: dict[int, ZoneRef],
    my_zone: ZoneRef,
    names: dict[int, str],
    rarity: Rarity,
) -> list[Huddle]:
    """My zone first, then the rarest topic, then the biggest group."""
    ordered = sorted(groups, key=lambda g: (g[0] != my_zone.id, -rarity.weight(g[1]), -g[2], names[g[1]]))
    return [
        Huddle(
            topic=InterestPublic(id=topic_id, name=names[topic_id]),
            people=people,
            zone=zones[zone_id],
            neighbouring=zone_id != my_zone.id,
            line=icebreakers.huddle_line(
                _language(me), names[topic_id], people, None if zone_id == my_zone.id else zones[zone_id].name
            ),
        )
        for zone_id, topic_id, people in ordered[:MAX_HUDDLES]
    ]
