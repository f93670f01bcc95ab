"""Icebreakers and "why" lines for suggestions and huddles.

Pure code over frozen dataclasses: no database, no I/O, no clock. The module-level `icebreaker` and
`reason` delegate to a swappable provider (`set_provider`), so a richer source of lines (a language
model, say) can take over behind the same call while `TemplateIcebreakers` stays the offline default.

Every line is grounded in data the context actually carries: a talk's title whenever a talk is given,
the shared topic whenever there is one, and the event subject when there is no talk.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Literal, Protocol, get_args
from zoneinfo import ZoneInfo

Language = Literal["fr", "en"]
Relation = Literal["just_ended", "upcoming", "now"]
ZoneKind = Literal["buffet", "coffee", "coat_check", "exhibitor_table", "lounge", "hallway", "entrance", "other"]
Goal = Literal["learn", "hire", "get_hired", "find_clients", "find_investors", "meet_speakers", "partner"]
Role = Literal["attendee", "speaker", "exhibitor", "organizer"]

# An icebreaker is said out loud and read on a phone: variants longer than this are skipped if another
# fits, and longer talk titles are cut at a word boundary.
MAX_LINE_CHARS = 200
MAX_TITLE_CHARS = 80
# The "why" line names at most this many topics (rarest first): past three it stops being a reason.
MAX_REASON_TOPICS = 3

NBSP = "\u00a0"  # French: before ":" and inside « guillemets », and in "14 h 00"
NNBSP = "\u202f"  # French: narrow no-break space before ";", "!" and "?"


def _require(value: object, allowed: tuple[object, ...], name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r}, expected one of {allowed}")


@dataclass(frozen=True, kw_only=True)
class TalkMention:
    """A talk on a shared topic, placed relative to now by the caller (`relation`)."""

    title: str
    starts_at: datetime
    ends_at: datetime
    relation: Relation
    room: str | None = None
    speaker_names: Sequence[str] = ()
    other_is_speaker: bool = False  # the suggested person gives this talk

    def __post_init__(self) -> None:
        _require(self.relation, get_args(Relation), "relation")
        if self.starts_at.utcoffset() is None or self.ends_at.utcoffset() is None:
            raise ValueError("talk times must be timezone-aware")


@dataclass(frozen=True, kw_only=True)
class IcebreakerContext:
    """Everything a provider may use to explain a suggestion and open the conversation.

    `zone_name`/`zone_kind` describe where the suggested person is; `neighbouring` means that zone is
    next to the requester's rather than the same one. `complementary` holds (my goal, their goal or
    role) pairs already matched by the caller, strongest first. Goals and role are also passed raw
    for providers that want more than the templates use.
    """

    language: Language
    event_name: str
    event_subject: str
    timezone: str  # IANA name, talk times are shown in the event's local time
    other_name: str
    pair_key: str  # stable for the unordered pair, e.g. "event42:7:19"
    shared_topics: Sequence[str] = ()  # display names, rarest first
    zone_name: str | None = None
    zone_kind: ZoneKind | None = None
    neighbouring: bool = False
    talk: TalkMention | None = None
    my_goals: Sequence[Goal] = ()
    their_goals: Sequence[Goal] = ()
    their_role: Role = "attendee"
    complementary: Sequence[tuple[Goal, Goal | Role]] = ()
    # The lines already on the same screen (variants' keys and texts): a provider avoids them while it can.
    taken: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Fail when the context is built, not halfway through rendering a suggestion list.
        _require(self.language, get_args(Language), "language")
        ZoneInfo(self.timezone)
        if self.zone_kind is not None:
            _require(self.zone_kind, get_args(ZoneKind), "zone_kind")
        _require(self.their_role, get_args(Role), "their_role")
        for goal in (*self.my_goals, *self.their_goals):
            _require(goal, get_args(Goal), "goal")
        for mine, theirs in self.complementary:
            _require(mine, get_args(Goal), "complementary goal")
            _require(theirs, get_args(Goal) + get_args(Role), "complementary counterpart")


class IcebreakerProvider(Protocol):
    def icebreaker(self, ctx: IcebreakerContext) -> str:
        """One opening line to say out loud, in `ctx.language`."""

    def reason(self, ctx: IcebreakerContext) -> str:
        """The short "why" line shown with the suggestion, in `ctx.language`."""


@dataclass(frozen=True)
class _Phrases:
    """All wording for one language. Openers are keyed by situation (see `_situation`)."""

    openers: Mapping[str, tuple[str, ...]]
    at_zone: Mapping[ZoneKind, str]  # the other person is in the requester's zone
    near_zone: Mapping[ZoneKind, str]  # ... in a neighbouring zone
    at_named: str
    near_named: str
    you: Mapping[str, str]  # a goal or role, second person
    me: Mapping[str, str]  # a goal, first person
    them: Mapping[str, str]  # a goal or role, third person, after the name
    shared: str
    talk_clauses: Mapping[str, str]
    goals_clause: str
    fallback_reason: str
    huddle_one: str
    huddle_many: str
    and_: str
    clause_sep: str
    open_quote: str
    close_quote: str


_EN = _Phrases(
    openers={
        "speaker_just_ended": (
            "Thanks for your talk {title}! I’m into {focus} too — what question did you hope to get?",
            "How did your talk {title} go? I’m into {focus} too and would love the short version.",
            "Congrats on your talk {title}! If people remember one thing about {focus}, what should it be?",
        ),
        "speaker_upcoming": (
            "Looking forward to your talk {title} at {time} — I’m into {focus} too. All set?",
            "Your talk {title} is at {time}, right? I’d love a preview — {focus} is my thing too.",
            "I’m planning to catch your talk {title} at {time}. What should someone into {focus} listen out for?",
        ),
        "speaker_now": (
            "Isn’t your talk {title} about to start? Good luck — I’m into {focus} too!",
            "Good luck with your talk {title}! I’m into {focus} too — can we catch up after?",
            "Hi! Is your talk {title} starting now? I’d love to chat about {focus} afterwards.",
        ),
        "talk_just_ended": (
            "Did you catch {title}? I’m curious what you made of it — {focus} is my thing too.",
            "Were you at {title} just now? I’d love your take, since we’re both into {focus}.",
            "{title} just finished — what was your takeaway? I’m into {focus} too.",
        ),
        "talk_upcoming": (
            "Are you going to {title} at {time}? Looks like a good one for {focus}.",
            "Going to {title} at {time}? We’re both into {focus} — happy to grab seats together.",
            "Hi! Have you seen {title} at {time}? Seems made for people into {focus}.",
        ),
        "talk_now": (
            "Skipping {title} too? I’m into {focus}, but a chat {where} seemed better.",
            "{title} is on right now — were you tempted? We’re both into {focus}.",
            "Hi! Not at {title} either? Fancy a hallway session on {focus} instead?",
        ),
        "goals_topic": (
            "Hi! I saw {their}, and {mine}. Is {topic} part of it for you?",
            "{Their}? Good timing — {mine}. Fancy two minutes on {topic}?",
            "Hi! Couloir suggested I come over: {their}, and {mine}. Is {topic} your angle?",
        ),
        "goals": (
            "Hi! I saw {their}, and {mine}. What’s your angle on {subject}?",
            "{Their}? Good timing — {mine}. Fancy two minutes on {subject}?",
            "Hi! Couloir suggested I come over: {their}, and {mine}. What brings you to {subject}?",
        ),
        "topic": (
            "Hi! Couloir says we’re both into {topic}. What got you into it?",
            "Another {topic} person {where}! What are you working on with it these days?",
            "Hi! I’m into {topic} too. Seen anything on it here worth a look?",
            "Hi! We both follow {topic}. What’s the hardest part of it in your work?",
            "Hi! Couloir pointed me your way for {topic}. Where do you use it?",
            "Hi! A fellow {topic} person! What would you tell someone starting out with it?",
            "Hi! Is {topic} part of your day job, or more of a side interest?",
            "Hi! {topic} brought me over. What’s new on it for you this year?",
            "Hi! Couloir matched us on {topic}. What surprised you most about it?",
            "Hi! If you had to keep one idea about {topic}, which would it be?",
        ),
        "topics": (
            "Hi! {topic} and {topic2}, same as me! Which one takes more of your time?",
            "Hi! Couloir says we share {topic} and {topic2}. Do you use them together?",
            "Another {topic} and {topic2} person {where}! What are you building with them?",
        ),
        "subject": (
            "Hi! What brings you to {event} — is {subject} your day job?",
            "Hi! What’s been the most useful thing on {subject} so far, for you?",
            "Hi! Taking a break {where} too? What part of {subject} are you here for?",
        ),
    },
    at_zone={
        "buffet": "at the buffet",
        "coffee": "at the coffee bar",
        "coat_check": "at the coat check",
        "exhibitor_table": "by the stands",
        "lounge": "in the lounge",
        "hallway": "in the hallway",
        "entrance": "at the entrance",
        "other": "here",
    },
    near_zone={
        "buffet": "near the buffet",
        "coffee": "near the coffee bar",
        "coat_check": "near the coat check",
        "exhibitor_table": "near the stands",
        "lounge": "near the lounge",
        "hallway": "down the hallway",
        "entrance": "near the entrance",
        "other": "nearby",
    },
    at_named="at {zone}",
    near_named="near {zone}",
    you={
        "learn": "you’re here to learn",
        "hire": "you’re hiring",
        "get_hired": "you’re open to new roles",
        "find_clients": "you’re looking for clients",
        "find_investors": "you’re looking for investors",
        "meet_speakers": "you’d like to meet speakers",
        "partner": "you’re looking for partners",
        "attendee": "you’re attending",
        "speaker": "you’re speaking here",
        "exhibitor": "you’re exhibiting",
        "organizer": "you’re on the organizing team",
    },
    me={
        "learn": "I’m here to learn",
        "hire": "I’m hiring",
        "get_hired": "I’m looking for my next role",
        "find_clients": "I’m looking for clients",
        "find_investors": "I’m looking for investors",
        "meet_speakers": "I was hoping to meet speakers",
        "partner": "I’m looking for partners",
    },
    them={
        "learn": "is here to learn",
        "hire": "is hiring",
        "get_hired": "is open to new roles",
        "find_clients": "is looking for clients",
        "find_investors": "is looking for investors",
        "meet_speakers": "would like to meet speakers",
        "partner": "is looking for partners",
        "attendee": "is attending too",
        "speaker": "is speaking here",
        "exhibitor": "is exhibiting",
        "organizer": "is on the organizing team",
    },
    shared="you both follow {topics}",
    talk_clauses={
        "speaker_upcoming": "{name} speaks at {when} on {title}",
        "speaker_just_ended": "{name} just gave the talk {title}",
        "speaker_now": "{name} is giving the talk {title} right now",
        "talk_upcoming": "{title} starts at {when}",
        "talk_just_ended": "{title} just ended",
        "talk_now": "{title} is on right now",
    },
    goals_clause="{mine} — {name} {theirs}",
    fallback_reason="{name} is here for {subject} too",
    huddle_one="{count} person {where} is into {topic}",
    huddle_many="{count} people {where} are into {topic}",
    and_="and",
    clause_sep="; ",
    open_quote="“",
    close_quote="”",
)

# French avoids articles before topics and subjects ("côté X", "parler X", "le sujet X"): their gender
# is unknown, and "le/la/l’" would be wrong half the time. Nothing agrees with anyone's gender either.
_FR = _Phrases(
    openers={
        "speaker_just_ended": (
            "Merci pour votre présentation {title} ! Quelle question auriez-vous aimé avoir, côté {focus} ?",
            "Comment s’est passée votre présentation {title} ? J’aimerais la version courte, côté {focus}.",
            "Bravo pour votre présentation {title} ! L’idée à retenir, côté {focus} ?",
        ),
        "speaker_upcoming": (
            "Vivement votre présentation {title} à {time} ! Le sujet {focus} me parle. Pas trop de trac ?",
            "Votre présentation {title} est bien à {time} ? J’aimerais bien un avant-goût, côté {focus}.",
            "J’irai voir votre présentation {title} à {time}. Le point à ne pas manquer, côté {focus} ?",
        ),
        "speaker_now": (
            "Votre présentation {title} commence bientôt, non ? Bonne chance ! On parle {focus} après ?",
            "Bonne chance pour votre présentation {title} ! On se retrouve après pour parler {focus} ?",
            "Votre présentation {title}, c’est maintenant ? J’aimerais en parler après, côté {focus}.",
        ),
        "talk_just_ended": (
            "Vous étiez à {title} ? J’aimerais bien votre avis, côté {focus}.",
            "{title} vient de se terminer : vous en avez pensé quoi ? Le sujet {focus} m’intéresse aussi.",
            "Bonjour ! Vous avez vu {title} ? Qu’en avez-vous retenu, côté {focus} ?",
        ),
        "talk_upcoming": (
            "Vous allez à {title} à {time} ? Ça a l’air incontournable, côté {focus}.",
            "Vous allez aussi voir {title} à {time} ? On peut y aller ensemble et parler {focus} en chemin.",
            "Bonjour ! Vous avez repéré {title} à {time} ? Ça a l’air fait pour nous, côté {focus}.",
        ),
        "talk_now": (
            "Vous aussi, vous faites l’impasse sur {title} ? On peut parler {focus} {where}.",
            "{title} a lieu en ce moment : vous avez hésité ? Le sujet {focus} m’intéresse aussi.",
            "Bonjour ! Pas à {title} non plus ? On se fait notre propre session sur le sujet {focus} ?",
        ),
        "goals_topic": (
            "Bonjour ! J’ai vu que {their}, et {mine}. Le sujet {topic} en fait partie ?",
            "{Their} ? Ça tombe bien, {mine}. On parle {topic} deux minutes ?",
            "Couloir m’a dit de venir vous voir : {their}, et {mine}. Vous abordez tout ça côté {topic} ?",
        ),
        "goals": (
            "Bonjour ! J’ai vu que {their}, et {mine}. On en parle, côté {subject} ?",
            "{Their} ? Ça tombe bien, {mine}. On parle {subject} deux minutes ?",
            "Couloir m’a dit de venir vous voir : {their}, et {mine}. Vous abordez {subject} par quel bout ?",
        ),
        "topic": (
            "Bonjour ! D’après Couloir, on a un sujet en commun : {topic}. Par quoi avez-vous commencé ?",
            "Encore quelqu’un qui parle {topic} {where} ! Sur quoi travaillez-vous en ce moment ?",
            "Bonjour ! Le sujet {topic} m’intéresse aussi. Vous avez vu quelque chose là-dessus aujourd’hui ?",
            "Bonjour ! On suit le même sujet : {topic}. Le plus difficile, dans votre travail, c’est quoi ?",
            "Bonjour ! Couloir m’a suggéré de venir vous parler {topic}. Vous vous en servez pour quoi ?",
            "Bonjour ! Que conseilleriez-vous à quelqu’un qui débute, côté {topic} ?",
            "Bonjour ! Le sujet {topic}, c’est votre quotidien ou plutôt une curiosité ?",
            "Bonjour ! Quoi de neuf cette année pour vous, côté {topic} ?",
            "Bonjour ! Couloir m’envoie vous parler {topic}. Qu’est-ce qui vous a le plus surpris là-dessus ?",
            "Bonjour ! Si vous deviez retenir une seule idée, côté {topic}, ce serait laquelle ?",
        ),
        "topics": (
            "Bonjour ! {topic} et {topic2}, comme moi ! Lequel vous occupe le plus ?",
            "Bonjour ! D’après Couloir, on a {topic} et {topic2} en commun. Vous les utilisez ensemble ?",
            "Encore quelqu’un qui parle {topic} et {topic2} {where} ! Vous construisez quoi avec ?",
        ),
        "subject": (
            "Bonjour ! Qu’est-ce qui vous amène à {event}, côté {subject} ?",
            "Bonjour ! Le plus utile jusqu’ici, côté {subject}, c’était quoi pour vous ?",
            "Bonjour ! Vous aussi en pause {where} ? Vous êtes là pour quel aspect {de_subject} ?",
        ),
    },
    at_zone={
        "buffet": "au buffet",
        "coffee": "au bar à café",
        "coat_check": "au vestiaire",
        "exhibitor_table": "aux stands",
        "lounge": "dans l’espace détente",
        "hallway": "dans le couloir",
        "entrance": "à l’entrée",
        "other": "ici",
    },
    near_zone={
        "buffet": "près du buffet",
        "coffee": "près du bar à café",
        "coat_check": "près du vestiaire",
        "exhibitor_table": "près des stands",
        "lounge": "près de l’espace détente",
        "hallway": "dans le couloir d’à côté",
        "entrance": "près de l’entrée",
        "other": "juste à côté",
    },
    # "côté X" needs no article, so it reads right whatever the organizer named the zone.
    at_named="côté {zone}",
    near_named="côté {zone}",
    you={
        "learn": "vous êtes là pour apprendre",
        "hire": "vous recrutez",
        "get_hired": "vous cherchez un nouveau poste",
        "find_clients": "vous cherchez des clients",
        "find_investors": "vous cherchez des investisseurs",
        "meet_speakers": "vous aimeriez rencontrer des intervenants",
        "partner": "vous cherchez des partenaires",
        "attendee": "vous participez aussi",
        "speaker": "vous faites partie des intervenants",
        "exhibitor": "vous tenez un stand",
        "organizer": "vous faites partie de l’organisation",
    },
    me={
        "learn": "je suis là pour apprendre",
        "hire": "je recrute",
        "get_hired": "je cherche un nouveau poste",
        "find_clients": "je cherche des clients",
        "find_investors": "je cherche des investisseurs",
        "meet_speakers": "j’espérais rencontrer des intervenants",
        "partner": "je cherche des partenaires",
    },
    them={
        "learn": "est là pour apprendre",
        "hire": "recrute",
        "get_hired": "cherche un nouveau poste",
        "find_clients": "cherche des clients",
        "find_investors": "cherche des investisseurs",
        "meet_speakers": "aimerait rencontrer des intervenants",
        "partner": "cherche des partenaires",
        "attendee": "participe aussi",
        "speaker": "fait partie des intervenants",
        "exhibitor": "tient un stand",
        "organizer": "fait partie de l’organisation",
    },
    shared="vous avez en commun : {topics}",
    talk_clauses={
        "speaker_upcoming": "{name} intervient à {when} sur {title}",
        "speaker_just_ended": "{name} vient de présenter {title}",
        "speaker_now": "{name} présente {title} en ce moment",
        "talk_upcoming": "{title} commence à {when}",
        "talk_just_ended": "{title} vient de se terminer",
        "talk_now": "{title} a lieu en ce moment",
    },
    goals_clause="{mine} — {name} {theirs}",
    fallback_reason="{name} est là pour {subject}, comme vous",
    # "personne(s)" is grammatically feminine whoever the people are, so the agreement is safe.
    huddle_one="{count} personne {where} est passionnée {de_topic}",
    huddle_many="{count} personnes {where} sont passionnées {de_topic}",
    and_="et",
    clause_sep=" ; ",
    open_quote=f"«{NBSP}",
    close_quote=f"{NBSP}»",
)


def _french_spacing(text: str) -> str:
    # No-break spaces keep "?", "!", ";" and ":" from wrapping alone onto the next line of a phone screen.
    for plain, fixed in ((" ?", NNBSP + "?"), (" !", NNBSP + "!"), (" ;", NNBSP + ";"), (" :", NBSP + ":")):
        text = text.replace(plain, fixed)
    return text


def _typeset(phrases: _Phrases) -> _Phrases:
    """Apply French spacing to our own wording once, before user data is ever substituted into it."""

    def fix(value: object) -> object:
        if isinstance(value, str):
            return _french_spacing(value)
        if isinstance(value, tuple):
            return tuple(fix(item) for item in value)
        if isinstance(value, Mapping):
            return {key: fix(item) for key, item in value.items()}
        return value

    return _Phrases(**{f.name: fix(getattr(phrases, f.name)) for f in fields(phrases)})  # type: ignore[arg-type]


_PHRASES: dict[str, _Phrases] = {"en": _EN, "fr": _typeset(_FR)}

_VOWELS = frozenset("aeiouàâäéèêëîïôöùûüæœ")
# Common words with a mute h ("l’hébergement"); names and English terms mostly keep "de" ("de Hadoop").
_MUTE_H = (
    "hab", "harmon", "héberg", "hérit", "hist", "homm", "homolog", "hôp", "hôt", "horiz", "horlog", "hum", "hy",
)  # fmt: skip


def _de(word: str) -> str:
    """French "de" before `word`, elided to "d’" before a vowel sound."""
    lower = word.lower()
    elide = (
        lower[:1] in _VOWELS
        or lower.startswith(_MUTE_H)
        or (lower[:1] == "y" and lower[1:2] not in _VOWELS)  # "d’Yvelines", but "de YAML"
    )
    return f"d’{word}" if elide else f"de {word}"


def _join(items: Sequence[str], and_: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {and_} {items[-1]}"


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    head, space, _ = cut.rpartition(" ")
    return (head if space and len(head) > limit // 2 else cut).rstrip() + "…"


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _clock(moment: datetime, timezone: str, language: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    if language == "fr":
        return f"{local.hour}{NBSP}h{NBSP}{local.minute:02d}"
    return f"{local:%H:%M}"


def _pick(lines: Sequence[str], pair_key: str, situation: str, taken: frozenset[str]) -> tuple[str, str, bool]:
    """(key, line, fresh): the pair's variant, or the next one in turn that fits MAX_LINE_CHARS and is not on
    the screen yet (`taken`, by key or text: then `fresh`); failing that, one that fits, else the shortest."""
    # blake2b rather than hash(): str hashes are salted per process, and every replica and every
    # reload must show a pair the same line. The situation is mixed in so variants change with it.
    digest = hashlib.blake2b(f"{situation}\x1f{pair_key}".encode(), digest_size=8).digest()
    start = int.from_bytes(digest, "big") % len(lines)
    in_turn = [(f"{situation}:{i % len(lines)}", lines[i % len(lines)]) for i in range(start, start + len(lines))]
    fits = [(key, line) for key, line in in_turn if len(line) <= MAX_LINE_CHARS]
    fresh = [(key, line) for key, line in fits if key not in taken and line not in taken]
    unsaid = [(key, line) for key, line in fits if line not in taken]
    key, line = next(iter(fresh or unsaid or fits), min(in_turn, key=lambda pair: len(pair[1])))
    return key, line, bool(fresh)


def _situation(ctx: IcebreakerContext) -> str:
    """Most specific first: a talk, then complementary goals, then the topic, then the subject alone."""
    if ctx.talk is not None:
        return f"{'speaker' if ctx.talk.other_is_speaker else 'talk'}_{ctx.talk.relation}"
    if ctx.complementary:
        return "goals_topic" if ctx.shared_topics else "goals"
    if len(ctx.shared_topics) >= 2:
        return "topics"
    return "topic" if ctx.shared_topics else "subject"


def _fallbacks(ctx: IcebreakerContext) -> list[str]:
    """The situation, then the plainer ones its context also fits: where a screen takes a line from once the
    situation's own variants are all on it."""
    first = _situation(ctx)
    plainer = ["topics"] if len(ctx.shared_topics) >= 2 else []
    plainer += ["topic"] if ctx.shared_topics else ["subject"]
    return [first, *(situation for situation in plainer if situation != first)]


def _where(ctx: IcebreakerContext, phrases: _Phrases) -> str:
    if ctx.zone_name:
        return (phrases.near_named if ctx.neighbouring else phrases.at_named).format(zone=ctx.zone_name)
    return (phrases.near_zone if ctx.neighbouring else phrases.at_zone)[ctx.zone_kind or "other"]


def _title(talk: TalkMention, phrases: _Phrases) -> str:
    return f"{phrases.open_quote}{_clip(talk.title, MAX_TITLE_CHARS)}{phrases.close_quote}"


class TemplateIcebreakers:
    """Hand-written templates in French and English; deterministic for a given context."""

    def icebreaker(self, ctx: IcebreakerContext) -> str:
        return self.opener(ctx)[1]

    def opener(self, ctx: IcebreakerContext) -> tuple[str, str]:
        """(the variant's key, the line): keys tell `screen_icebreakers` which variants a screen shows."""
        phrases = _PHRASES[ctx.language]
        topic = ctx.shared_topics[0] if ctx.shared_topics else ""
        talk = ctx.talk
        mine, theirs = ctx.complementary[0] if ctx.complementary else ("", "")
        values = {
            "title": _title(talk, phrases) if talk else "",
            "time": _clock(talk.starts_at, ctx.timezone, ctx.language) if talk else "",
            "topic": topic,
            "topic2": ctx.shared_topics[1] if len(ctx.shared_topics) > 1 else "",
            "focus": topic or ctx.event_subject,  # talk lines name the topic, or the subject if none is shared
            "subject": ctx.event_subject,
            "de_subject": _de(ctx.event_subject),
            "event": ctx.event_name,
            "where": _where(ctx, phrases),
            "their": phrases.you.get(theirs, ""),
            "Their": _capitalize(phrases.you.get(theirs, "")),
            "mine": phrases.me.get(mine, ""),
        }
        first = None
        for situation in _fallbacks(ctx):
            lines = [template.format(**values) for template in phrases.openers[situation]]
            key, line, fresh = _pick(lines, ctx.pair_key, situation, ctx.taken)
            if fresh:
                return key, line
            first = first or (key, line)
        assert first is not None  # the situation itself is always among its fallbacks
        return first

    def reason(self, ctx: IcebreakerContext) -> str:
        phrases = _PHRASES[ctx.language]
        talk = self._talk_clause(ctx, ctx.talk, phrases) if ctx.talk is not None else ""
        goals = ""
        if ctx.complementary:
            mine, theirs = ctx.complementary[0]
            goals = phrases.goals_clause.format(
                mine=phrases.you[mine], name=ctx.other_name, theirs=phrases.them[theirs]
            )
        # Shrink until it fits, giving up the extra topics, then the goals; never the first topic or the talk.
        candidates = [
            self._join_clauses(ctx, phrases, ctx.shared_topics[:MAX_REASON_TOPICS], talk, goals),
            self._join_clauses(ctx, phrases, ctx.shared_topics[:1], talk, goals),
            self._join_clauses(ctx, phrases, ctx.shared_topics[:1], talk, ""),
        ]
        return next((line for line in candidates if len(line) <= MAX_LINE_CHARS), candidates[-1])

    @staticmethod
    def _join_clauses(ctx: IcebreakerContext, phrases: _Phrases, topics: Sequence[str], talk: str, goals: str) -> str:
        shared = phrases.shared.format(topics=_join(topics, phrases.and_)) if topics else ""
        # Two clauses at most: the "why" is read at a glance, in a hallway.
        clauses = [clause for clause in (shared, talk, goals) if clause][:2]
        text = phrases.clause_sep.join(clauses) or phrases.fallback_reason.format(
            name=ctx.other_name, subject=ctx.event_subject
        )
        return _capitalize(text) + "."

    @staticmethod
    def _talk_clause(ctx: IcebreakerContext, talk: TalkMention, phrases: _Phrases) -> str:
        when = _clock(talk.starts_at, ctx.timezone, ctx.language)
        if talk.room:
            when += f" ({talk.room})"
        clause = phrases.talk_clauses[_situation(ctx)]
        return clause.format(name=ctx.other_name, title=_title(talk, phrases), when=when)


def huddle_line(language: Language, topic: str, count: int, zone_name: str | None = None) -> str:
    """One line for a huddle, e.g. "3 people here are into observability"."""
    _require(language, get_args(Language), "language")
    phrases = _PHRASES[language]
    where = phrases.at_named.format(zone=zone_name) if zone_name else phrases.at_zone["other"]
    singular = count == 1 if language == "en" else count < 2  # French: 0 and 1 take the singular
    template = phrases.huddle_one if singular else phrases.huddle_many
    return template.format(count=count, where=where, topic=topic, de_topic=_de(topic))


_provider: IcebreakerProvider = TemplateIcebreakers()


def set_provider(provider: IcebreakerProvider) -> IcebreakerProvider:
    """Route `icebreaker` and `reason` to `provider`; returns the previous one so it can be restored."""
    global _provider
    previous, _provider = _provider, provider
    return previous


def icebreaker(ctx: IcebreakerContext) -> str:
    return _provider.icebreaker(ctx)


def screen_icebreakers(contexts: Sequence[IcebreakerContext]) -> list[str]:
    """The icebreakers of one screen's suggestions, in order: each avoids the lines above it while it can."""
    taken: set[str] = set()
    lines = []
    for ctx in contexts:
        ctx = replace(ctx, taken=frozenset(taken))
        if isinstance(_provider, TemplateIcebreakers):
            key, line = _provider.opener(ctx)
            taken.add(key)
        else:
            line = _provider.icebreaker(ctx)
        taken.add(line)
        lines.append(line)
    return lines


def topics_named(text: str, topics: Mapping[int, str]) -> set[int]:
    """The ids of `topics` (id -> name) that `text` (a talk's title and abstract) names as a whole word."""
    folded = text.casefold()
    return {
        topic_id
        for topic_id, name in topics.items()
        if name.strip() and re.search(rf"(?<!\w){re.escape(name.casefold().strip())}(?!\w)", folded)
    }


def reason(ctx: IcebreakerContext) -> str:
    return _provider.reason(ctx)
