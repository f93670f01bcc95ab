"""Icebreakers and "why" lines: grounded in the data given, stable per pair, right in both languages.
Pure module, no database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.matching.icebreakers import (
    MAX_LINE_CHARS,
    MAX_TITLE_CHARS,
    NBSP,
    NNBSP,
    Goal,
    IcebreakerContext,
    Language,
    Relation,
    Role,
    TalkMention,
    TemplateIcebreakers,
    ZoneKind,
    huddle_line,
    icebreaker,
    reason,
    screen_icebreakers,
    set_provider,
    topics_named,
)

REPO = Path(__file__).resolve().parents[1]
WINTER_13H_UTC = datetime(2025, 1, 15, 13, 0, tzinfo=UTC)  # 14:00 in Paris (UTC+1)
LANGUAGES: tuple[Language, ...] = get_args(Language)
PAIR_KEYS = [f"event42:{i}:{i + 7}" for i in range(50)]


def make_talk(
    relation: Relation = "upcoming",
    *,
    other_is_speaker: bool = False,
    title: str = "Tracing at scale",
    starts_at: datetime = WINTER_13H_UTC,
    room: str | None = None,
) -> TalkMention:
    return TalkMention(
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=45),
        relation=relation,
        room=room,
        speaker_names=["Camille"] if other_is_speaker else ["Alex Martin"],
        other_is_speaker=other_is_speaker,
    )


def make_ctx(language: Language = "en", **overrides: Any) -> IcebreakerContext:
    fields: dict[str, Any] = {
        "language": language,
        "event_name": "Couloir Conf",
        "event_subject": "platform engineering",
        "timezone": "Europe/Paris",
        "other_name": "Camille",
        "pair_key": "event42:7:19",
        "shared_topics": ["Kubernetes"],
        "zone_kind": "coffee",
    }
    return IcebreakerContext(**(fields | overrides))


HIRING = [("hire", "get_hired")]
# One set of overrides per icebreaker situation, from the most specific to the bare subject.
SITUATIONS: dict[str, dict[str, Any]] = {
    "speaker_just_ended": {"talk": make_talk("just_ended", other_is_speaker=True)},
    "speaker_upcoming": {"talk": make_talk("upcoming", other_is_speaker=True)},
    "speaker_now": {"talk": make_talk("now", other_is_speaker=True)},
    "talk_just_ended": {"talk": make_talk("just_ended")},
    "talk_upcoming": {"talk": make_talk("upcoming")},
    "talk_now": {"talk": make_talk("now")},
    "goals_topic": {"complementary": HIRING},
    "goals": {"complementary": HIRING, "shared_topics": []},
    "topic": {},
    "subject": {"shared_topics": []},
}
TALK_SITUATIONS = [name for name, overrides in SITUATIONS.items() if "talk" in overrides]
SPEAKER_SITUATIONS = [name for name in TALK_SITUATIONS if name.startswith("speaker_")]
NO_TALK_SITUATIONS = [name for name in SITUATIONS if name not in TALK_SITUATIONS]
TOPIC_SITUATIONS = [name for name, overrides in SITUATIONS.items() if overrides.get("shared_topics") != []]

EN_WORDS = {"you", "your", "you’re", "i", "i’m", "i’d", "we’re", "hi", "what", "what’s", "is", "are", "the", "too"}
FR_WORDS = {"vous", "votre", "je", "j’ai", "bonjour", "côté", "c’est", "est", "pour", "sur", "aussi", "le", "pas"}
PRONOUNS = {"en": {"he", "she", "him", "her", "his", "hers"}, "fr": {"il", "elle", "ils", "elles"}}


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+(?:’[^\W\d_]+)?", text.lower()))


def lines_over_pairs(situation: str, language: Language, **overrides: Any) -> list[str]:
    return [icebreaker(make_ctx(language, pair_key=key, **(SITUATIONS[situation] | overrides))) for key in PAIR_KEYS]


def all_lines() -> list[str]:
    """Every situation, both languages, a few pairs: what another process must reproduce exactly."""
    return [
        text
        for situation in SITUATIONS
        for language in LANGUAGES
        for key in PAIR_KEYS[:10]
        for ctx in [make_ctx(language, pair_key=key, **SITUATIONS[situation])]
        for text in (icebreaker(ctx), reason(ctx))
    ]


@pytest.fixture
def provider_slot() -> Iterator[None]:
    """Leave the module's provider as the test found it, even when the test fails."""
    original = set_provider(TemplateIcebreakers())
    yield
    set_provider(original)


# --- grounded in the data -----------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("situation", TOPIC_SITUATIONS)
def test_the_line_names_the_shared_topic(situation: str, language: Language) -> None:
    for line in lines_over_pairs(situation, language, shared_topics=["eBPF", "Kubernetes"]):
        assert "eBPF" in line  # the rarest topic comes first and is the one named


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("situation", TALK_SITUATIONS)
def test_a_talk_is_named_by_its_real_title(situation: str, language: Language) -> None:
    talk = SITUATIONS[situation]["talk"]
    for key in PAIR_KEYS:
        ctx = make_ctx(language, pair_key=key, **SITUATIONS[situation])
        assert talk.title in icebreaker(ctx)
        assert talk.title in reason(ctx)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("situation", [name for name in NO_TALK_SITUATIONS if name not in TOPIC_SITUATIONS])
def test_with_no_talk_nor_topic_the_event_subject_is_named(situation: str, language: Language) -> None:
    for line in lines_over_pairs(situation, language):
        assert "platform engineering" in line


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("situation", TOPIC_SITUATIONS)
def test_a_shared_topic_opens_rather_than_the_event_subject(situation: str, language: Language) -> None:
    # Someone following only Green IT, WebAssembly and eBPF at a platform engineering event, met on eBPF.
    for line in lines_over_pairs(situation, language, shared_topics=["eBPF"]):
        assert "eBPF" in line and "platform engineering" not in line


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("situation", [name for name in TALK_SITUATIONS if name not in SPEAKER_SITUATIONS])
def test_a_talk_without_a_shared_topic_falls_back_to_the_subject(situation: str, language: Language) -> None:
    for line in lines_over_pairs(situation, language, shared_topics=[]):
        assert "Tracing at scale" in line and "platform engineering" in line


@pytest.mark.parametrize(
    ("language", "you_phrase", "me_phrase"),
    [("en", "you’re open to new roles", "i’m hiring"), ("fr", "vous cherchez un nouveau poste", "je recrute")],
)
def test_complementary_goals_state_both_sides(language: Language, you_phrase: str, me_phrase: str) -> None:
    for situation in ("goals", "goals_topic"):
        for line in lines_over_pairs(situation, language):
            assert you_phrase in line.lower() and me_phrase in line.lower()


@pytest.mark.parametrize(
    ("language", "speaker_words", "why"),
    [
        ("en", "your talk", "Camille speaks at 14:00 on “Tracing at scale”"),
        ("fr", "votre présentation", f"Camille intervient à 14{NBSP}h{NBSP}00 sur «{NBSP}Tracing at scale{NBSP}»"),
    ],
)
def test_the_speaker_case_says_the_other_is_the_speaker(language: Language, speaker_words: str, why: str) -> None:
    for situation in SPEAKER_SITUATIONS:
        for line in lines_over_pairs(situation, language):
            assert speaker_words in line.lower()
    assert why in reason(make_ctx(language, **SITUATIONS["speaker_upcoming"]))


@pytest.mark.parametrize(
    ("language", "at", "near", "named"),
    [
        ("en", "at the coffee bar", "near the coffee bar", "at Coffee Corner"),
        ("fr", "au bar à café", "près du bar à café", "côté Coffee Corner"),
    ],
)
def test_the_zone_is_localized_and_its_name_preferred(language: Language, at: str, near: str, named: str) -> None:
    def some_line_has(phrase: str, **overrides: Any) -> bool:
        return any(phrase in line for line in lines_over_pairs("topic", language, **overrides))

    assert some_line_has(at)
    assert some_line_has(near, neighbouring=True)
    assert some_line_has(named, zone_name="Coffee Corner")
    assert not some_line_has(at, zone_name="Coffee Corner")


# --- language and typography --------------------------------------------------------------------


@pytest.mark.parametrize("situation", SITUATIONS)
def test_each_language_reads_as_itself(situation: str) -> None:
    for key in PAIR_KEYS[:20]:
        en, fr = (make_ctx(language, pair_key=key, **SITUATIONS[situation]) for language in ("en", "fr"))
        for english, french in ((icebreaker(en), icebreaker(fr)), (reason(en), reason(fr))):
            assert english != french
            assert words(english) & EN_WORDS and not words(english) & FR_WORDS, english
            assert words(french) & FR_WORDS and not words(french) & EN_WORDS, french


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("situation", SITUATIONS)
def test_typography_and_no_gendered_pronoun(situation: str, language: Language) -> None:
    for key in PAIR_KEYS[:20]:
        ctx = make_ctx(language, pair_key=key, **SITUATIONS[situation])
        for text in (icebreaker(ctx), reason(ctx)):
            assert "'" not in text and '"' not in text  # typographic apostrophes and quotes only
            assert not words(text) & PRONOUNS[language], text
            if language == "fr":
                # No breakable space before French high punctuation, and never none at all.
                assert not re.search(r" [?!;:]|[^\s][?!;:]", text), text
                assert "“" not in text
            else:
                assert not re.search(r"\s[?!;:]", text) and "«" not in text, text


def test_talk_titles_get_each_languages_quotes() -> None:
    assert "“Tracing at scale”" in icebreaker(make_ctx("en", talk=make_talk()))
    assert f"«{NBSP}Tracing at scale{NBSP}»" in icebreaker(make_ctx("fr", talk=make_talk()))


# --- stable per pair, varied across pairs -------------------------------------------------------


def test_the_same_context_always_gives_the_same_line() -> None:
    assert all_lines() == all_lines()


@pytest.mark.slow
def test_lines_do_not_depend_on_the_process_hash_seed() -> None:
    script = "import json; from tests.test_icebreakers import all_lines; print(json.dumps([all_lines(), hash('x')]))"
    runs = []
    for seed in ("1", "2"):
        env = os.environ | {"PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        out = subprocess.run(
            [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout))
    (lines_1, hash_1), (lines_2, hash_2) = runs
    assert hash_1 != hash_2  # the two processes really do salt str hashes differently...
    assert lines_1 == lines_2 == all_lines()  # ...and the lines match each other and this process


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("situation", SITUATIONS)
def test_pairs_get_varied_lines(situation: str, language: Language) -> None:
    assert len(set(lines_over_pairs(situation, language))) >= 3


# --- times, lengths, lists ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_at", "tz", "en", "fr"),
    [
        (WINTER_13H_UTC, "Europe/Paris", "14:00", f"14{NBSP}h{NBSP}00"),
        (datetime(2025, 7, 15, 12, 30, tzinfo=UTC), "Europe/Paris", "14:30", f"14{NBSP}h{NBSP}30"),
        (WINTER_13H_UTC, "America/Montreal", "08:00", f"8{NBSP}h{NBSP}00"),
    ],
)
def test_talk_times_are_shown_in_the_events_timezone(starts_at: datetime, tz: str, en: str, fr: str) -> None:
    for situation in ("talk_upcoming", "speaker_upcoming"):
        talk = make_talk(other_is_speaker=situation.startswith("speaker"), starts_at=starts_at)
        for language, shown in (("en", en), ("fr", fr)):
            for key in PAIR_KEYS[:10]:
                ctx = make_ctx(language, timezone=tz, talk=talk, pair_key=key)
                assert shown in icebreaker(ctx) and shown in reason(ctx)
                assert "13:00" not in icebreaker(ctx) + reason(ctx)


def test_realistic_lines_stay_short() -> None:
    long_ish = {
        "other_name": "Marie-Christine Delacroix",
        "shared_topics": ["site reliability engineering", "Kubernetes operators", "eBPF"],
        "zone_name": "Coffee Corner North",
        "complementary": [("meet_speakers", "organizer")],
    }
    title = "Tracing at scale: what we learned running OpenTelemetry on 4,000 services"
    for overrides in SITUATIONS.values():
        if "talk" in overrides:
            talk = overrides["talk"]
            long_talk = make_talk(talk.relation, other_is_speaker=talk.other_is_speaker, title=title, room="Amphi B")
            overrides = overrides | {"talk": long_talk}
        for language in LANGUAGES:
            for key in PAIR_KEYS:
                ctx = make_ctx(language, pair_key=key, **(overrides | long_ish))
                assert len(icebreaker(ctx)) <= MAX_LINE_CHARS
                assert len(reason(ctx)) <= MAX_LINE_CHARS


@pytest.mark.parametrize(("language", "quoted"), [("en", "“(.+?)”"), ("fr", f"«{NBSP}(.+?){NBSP}»")])
def test_overlong_titles_are_cut_at_a_word(language: Language, quoted: str) -> None:
    title = "Lessons from a decade of platform migrations, " * 4
    for situation in TALK_SITUATIONS:
        talk = make_talk(SITUATIONS[situation]["talk"].relation, title=title)
        for key in PAIR_KEYS[:10]:
            line = icebreaker(make_ctx(language, talk=talk, pair_key=key))
            match = re.search(quoted, line)
            assert match, line
            shown = match.group(1)
            assert shown.endswith("…") and len(shown) <= MAX_TITLE_CHARS
            assert title.startswith(shown[:-1]) and title[len(shown) - 1] == " "  # cut between two words
            assert len(line) <= MAX_LINE_CHARS


@pytest.mark.parametrize(
    ("topics", "en", "fr"),
    [
        (["observability"], "You both follow observability.", f"Vous avez en commun{NBSP}: observability."),
        (
            ["observability", "Kubernetes"],
            "You both follow observability and Kubernetes.",
            f"Vous avez en commun{NBSP}: observability et Kubernetes.",
        ),
        (
            ["observability", "Kubernetes", "eBPF"],
            "You both follow observability, Kubernetes and eBPF.",
            f"Vous avez en commun{NBSP}: observability, Kubernetes et eBPF.",
        ),
    ],
)
def test_reason_lists_topics(topics: list[str], en: str, fr: str) -> None:
    assert reason(make_ctx("en", shared_topics=topics)) == en
    assert reason(make_ctx("fr", shared_topics=topics)) == fr


def test_reason_joins_the_topics_and_the_talk() -> None:
    topics = ["observability", "Kubernetes"]
    talk = make_talk(other_is_speaker=True)
    assert reason(make_ctx("en", shared_topics=topics, talk=talk)) == (
        "You both follow observability and Kubernetes; Camille speaks at 14:00 on “Tracing at scale”."
    )
    assert reason(make_ctx("fr", shared_topics=topics, talk=make_talk(room="Amphi A"))) == (
        f"Vous avez en commun{NBSP}: observability et Kubernetes{NNBSP}; "
        f"«{NBSP}Tracing at scale{NBSP}» commence à 14{NBSP}h{NBSP}00 (Amphi A)."
    )


def test_reason_for_goals_and_for_nothing_in_common() -> None:
    en, fr = (make_ctx(language, shared_topics=[], complementary=HIRING) for language in ("en", "fr"))
    assert reason(en) == "You’re hiring — Camille is open to new roles."
    assert reason(fr) == "Vous recrutez — Camille cherche un nouveau poste."
    assert reason(make_ctx("en", shared_topics=[])) == "Camille is here for platform engineering too."
    assert reason(make_ctx("fr", shared_topics=[])) == "Camille est là pour platform engineering, comme vous."


# --- huddles ------------------------------------------------------------------------------------


def test_huddle_lines() -> None:
    assert huddle_line("en", "observability", 3, None) == "3 people here are into observability"
    assert huddle_line("en", "Kubernetes", 4, "Coffee Corner") == "4 people at Coffee Corner are into Kubernetes"
    assert huddle_line("en", "eBPF", 1) == "1 person here is into eBPF"
    assert huddle_line("fr", "observabilité", 3, None) == "3 personnes ici sont passionnées d’observabilité"
    assert huddle_line("fr", "Kubernetes", 5, "Bar Nord") == "5 personnes côté Bar Nord sont passionnées de Kubernetes"
    assert huddle_line("fr", "eBPF", 1) == "1 personne ici est passionnée d’eBPF"


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("IA", "d’IA"),
        ("écoconception", "d’écoconception"),
        ("OpenTelemetry", "d’OpenTelemetry"),
        ("hébergement", "d’hébergement"),  # mute h
        ("hybride", "d’hybride"),
        ("Hadoop", "de Hadoop"),  # names keep "de"
        ("hardware", "de hardware"),
        ("YAML", "de YAML"),  # y before a vowel is a consonant
        ("Rust", "de Rust"),
    ],
)
def test_french_elision(topic: str, expected: str) -> None:
    assert huddle_line("fr", topic, 3).endswith(f"passionnées {expected}")


# --- the provider seam --------------------------------------------------------------------------


class CannedProvider:
    def icebreaker(self, ctx: IcebreakerContext) -> str:
        return f"canned opener for {ctx.other_name}"

    def reason(self, ctx: IcebreakerContext) -> str:
        return "canned reason"


def test_set_provider_swaps_the_implementation(provider_slot: None) -> None:
    ctx = make_ctx()
    from_templates = icebreaker(ctx), reason(ctx)
    previous = set_provider(CannedProvider())
    assert isinstance(previous, TemplateIcebreakers)
    assert (icebreaker(ctx), reason(ctx)) == ("canned opener for Camille", "canned reason")
    set_provider(previous)
    assert (icebreaker(ctx), reason(ctx)) == from_templates


# --- inputs are checked when built, not when rendered --------------------------------------------


def test_invalid_contexts_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        make_talk(starts_at=datetime(2025, 1, 15, 13, 0))
    with pytest.raises(ValueError, match="language"):
        make_ctx("de")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="complementary"):
        make_ctx(complementary=[("hire", "investor")])
    with pytest.raises(Exception, match="Mars/Olympus"):
        make_ctx(timezone="Mars/Olympus")


# --- any text at all ----------------------------------------------------------------------------

any_text = st.text(min_size=1, max_size=40)
any_zone: dict[str, st.SearchStrategy[Any]] = {
    "zone_kind": st.none() | st.sampled_from(get_args(ZoneKind)),
    "zone_name": st.none() | any_text,
    "neighbouring": st.booleans(),
    "complementary": st.lists(
        st.tuples(st.sampled_from(get_args(Goal)), st.sampled_from(get_args(Goal) + get_args(Role))), max_size=2
    ),
    "pair_key": st.text(),
}


@settings(max_examples=300, deadline=None)
@given(
    language=st.sampled_from(LANGUAGES),
    topics=st.lists(any_text, min_size=1, max_size=4),
    title=st.text(min_size=1, max_size=MAX_TITLE_CHARS),
    relation=st.sampled_from(get_args(Relation)),
    other_is_speaker=st.booleans(),
    name=any_text,
    **any_zone,
)
def test_any_topic_and_title_are_always_named(
    language: Language,
    topics: list[str],
    title: str,
    relation: Relation,
    other_is_speaker: bool,
    name: str,
    **zone: Any,
) -> None:
    talk = make_talk(relation, other_is_speaker=other_is_speaker, title=title)
    ctx = make_ctx(language, shared_topics=topics, talk=talk, other_name=name, **zone)
    line, why = icebreaker(ctx), reason(ctx)
    assert topics[0] in line and title in line
    assert topics[0] in why and title in why


@settings(max_examples=300, deadline=None)
@given(
    language=st.sampled_from(LANGUAGES),
    topics=st.lists(any_text, max_size=3),
    subject=any_text,
    event_name=any_text,
    **any_zone,
)
def test_any_subject_is_named_when_there_is_no_talk(
    language: Language, topics: list[str], subject: str, event_name: str, **zone: Any
) -> None:
    ctx = make_ctx(language, shared_topics=topics, event_subject=subject, event_name=event_name, **zone)
    line, why = icebreaker(ctx), reason(ctx)
    if topics:
        assert topics[0] in line and topics[0] in why
    else:
        assert subject in line


# Names none of which holds another, nor any word of the templates: a name found in a line was put there.
VOCABULARY = [
    "Green IT",
    "WebAssembly",
    "eBPF",
    "platform engineering",
    "Kubernetes",
    "FinOps",
    "SBOM",
    "OpenTelemetry",
]


@settings(max_examples=400, deadline=None)
@given(
    language=st.sampled_from(LANGUAGES),
    mine=st.sets(st.sampled_from(VOCABULARY), min_size=1),
    theirs=st.sets(st.sampled_from(VOCABULARY), min_size=1),
    subject=st.sampled_from(VOCABULARY),
    talk=st.none() | st.sampled_from(get_args(Relation)),
    other_is_speaker=st.booleans(),
    complementary=st.sampled_from([[], HIRING]),
    pair_key=st.sampled_from(PAIR_KEYS),
)
def test_the_opening_topic_is_one_both_follow(
    language: Language,
    mine: set[str],
    theirs: set[str],
    subject: str,
    talk: Relation | None,
    other_is_speaker: bool,
    complementary: list,
    pair_key: str,
) -> None:
    shared = sorted(mine & theirs)
    if not shared:  # nobody is suggested without a topic in common
        return
    mention = make_talk(talk, other_is_speaker=other_is_speaker) if talk else None
    ctx = make_ctx(
        language,
        shared_topics=shared,
        event_subject=subject,
        talk=mention,
        complementary=complementary,
        pair_key=pair_key,
    )
    line = icebreaker(ctx)
    assert shared[0] in line
    named = {topic for topic in VOCABULARY if topic in line}
    assert named <= mine & theirs, line


@settings(max_examples=300, deadline=None)
@given(
    language=st.sampled_from(LANGUAGES),
    situation=st.sampled_from(list(SITUATIONS)),
    pair_keys=st.lists(st.sampled_from(PAIR_KEYS), min_size=2, max_size=6, unique=True),
)
def test_lines_on_one_screen_vary(language: Language, situation: str, pair_keys: list[str]) -> None:
    # The same situation and topic for everyone: the worst case, a coffee bar of Kubernetes people. With nothing
    # in common but the event, its three lines are all there is.
    if situation == "subject":
        pair_keys = pair_keys[:3]
    contexts = [make_ctx(language, pair_key=key, **SITUATIONS[situation]) for key in pair_keys]
    lines = screen_icebreakers(contexts)
    assert len(set(lines)) == len(lines), lines
    # Each still reads as the pair's own line would, with the first one exactly that.
    assert lines[0] == icebreaker(contexts[0])


@settings(max_examples=200, deadline=None)
@given(
    language=st.sampled_from(LANGUAGES),
    topic=any_text,
    count=st.integers(min_value=0, max_value=10_000),
    zone_name=st.none() | any_text,
)
def test_any_huddle_names_its_topic_and_count(
    language: Language, topic: str, count: int, zone_name: str | None
) -> None:
    line = huddle_line(language, topic, count, zone_name)
    assert topic in line and str(count) in line


def test_a_talk_names_the_topics_its_title_or_abstract_name_as_whole_words() -> None:
    topics = {1: "eBPF", 2: "Rust", 3: "Green IT", 4: "WebAssembly"}
    text = "Observability with eBPF\nWe trust our tools; a green it-department story, and wasm."
    assert topics_named(text, topics) == {1, 3}
