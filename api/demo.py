"""A realistic demo conference, so a newcomer sees real people, topics and breaks at once.

Deterministic (seeded) and idempotent: running it again re-anchors the day's agenda around the
current time and adds nothing twice.
"""

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from api.agenda.models import AgendaBreak, Talk, TalkSpeaker, TalkTopic
from api.attendees.models import Attendee, AttendeeInterest
from api.auth.service import create_magic_link
from api.contacts.models import Contact
from api.core.config import Settings
from api.core.db import utcnow
from api.core.security import new_secret_token
from api.events.models import Event, EventOrganizer, Topic, Zone, ZoneNeighbour
from api.events.service import fold, random_code
from api.organizers.service import add_organizer
from api.presence.models import CheckInRecord
from api.presence.service import place, presence_end

SLUG = "platform-days-demo"
ORGANIZER_EMAIL = "organizer@couloir.example"

ZONES = [  # name, kind, neighbours (by index)
    ("Bar à café / Coffee bar", "coffee", [1, 2]),
    ("Buffet", "buffet", [0, 3]),
    ("Vestiaire / Coat check", "coat_check", [5]),
    ("Stand Grafana", "exhibitor_table", [1, 4]),
    ("Stand Scaleway", "exhibitor_table", [3, 6]),
    ("Accueil / Entrance", "entrance", [2]),
    ("Stand OVHcloud", "exhibitor_table", [4]),
    ("Salon / Lounge", "lounge", [8]),
    ("Couloir nord / North hallway", "hallway", [7, 9]),
    ("Couloir sud / South hallway", "hallway", [8]),
    ("Terrasse / Terrace", "other", [10]),
    ("Espace sponsors / Sponsor area", "exhibitor_table", [3, 4]),
]

TOPICS = {  # name: synonyms
    "Observability": ["o11y", "observabilité", "monitoring"],
    "Kubernetes": ["k8s", "kube"],
    "Platform engineering": ["platform", "plateforme", "IDP"],
    "Site reliability engineering": ["SRE", "fiabilité"],
    "OpenTelemetry": ["otel"],
    "eBPF": ["bpf"],
    "GitOps": ["argo cd", "flux"],
    "Infrastructure as code": ["IaC", "terraform", "opentofu"],
    "Developer experience": ["DX", "DevEx"],
    "FinOps": ["cloud costs", "coûts cloud"],
    "Security": ["sécurité", "DevSecOps"],
    "Supply chain security": ["SBOM", "sigstore"],
    "Incident management": ["on-call", "astreinte", "postmortem"],
    "Chaos engineering": ["chaos"],
    "Service mesh": ["istio", "linkerd"],
    "Serverless": ["FaaS", "lambda"],
    "WebAssembly": ["wasm"],
    "Rust": ["rustlang"],
    "Go": ["golang"],
    "Python": ["py"],
    "Databases": ["bases de données", "SQL"],
    "PostgreSQL": ["postgres", "pg"],
    "Data engineering": ["data pipelines"],
    "Machine learning ops": ["MLOps"],
    "Large language models": ["LLM", "GenAI", "IA générative"],
    "Edge computing": ["edge"],
    "Sovereign cloud": ["cloud souverain", "SecNumCloud"],
    "Green IT": ["sobriété numérique", "sustainability"],
    "CI/CD": ["continuous delivery", "intégration continue"],
    "Testing": ["tests", "QA"],
    "API design": ["REST", "OpenAPI"],
    "Event-driven architecture": ["Kafka", "event streaming"],
    "Distributed systems": ["systèmes distribués"],
    "Performance": ["perf", "latency"],
    "Accessibility": ["a11y", "accessibilité"],
    "Open source": ["open-source", "logiciel libre"],
    "Team topologies": ["team organisation"],
    "Engineering management": ["management", "leadership"],
    "Hiring": ["recrutement", "recruiting"],
    "Startups": ["start-up", "fundraising"],
}

FIRST_NAMES = [
    "Camille",
    "Léa",
    "Chloé",
    "Manon",
    "Inès",
    "Zoé",
    "Élodie",
    "Anaïs",
    "Sophie",
    "Julie",
    "Hugo",
    "Lucas",
    "Théo",
    "Mathis",
    "Nathan",
    "Louis",
    "Gabriel",
    "Raphaël",
    "Antoine",
    "Jérôme",
    "Emma",
    "Olivia",
    "Amelia",
    "Grace",
    "Hannah",
    "Priya",
    "Aisha",
    "Mei",
    "Sofia",
    "Laura",
    "Oliver",
    "James",
    "Noah",
    "Liam",
    "Ethan",
    "Arjun",
    "Kenji",
    "Mateo",
    "Tom",
    "Daniel",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Lefèvre",
    "Garnier",
    "Faure",
    "Rousseau",
    "Girard",
    "Bonnet",
    "N'Diaye",
    "Nguyen",
    "Benali",
    "Kowalski",
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Evans",
    "Patel",
    "Okafor",
    "Tanaka",
    "García",
]
COMPANIES = [
    "Doctolib",
    "BlaBlaCar",
    "Scaleway",
    "OVHcloud",
    "Datadog",
    "Grafana Labs",
    "Qonto",
    "Alan",
    "Back Market",
    "Mirakl",
    "Contentsquare",
    "Clever Cloud",
    "Shopify",
    "GitLab",
    "Red Hat",
    "Independent",
]
HEADLINES = [
    "SRE lead",
    "Platform engineer",
    "Staff engineer",
    "CTO",
    "Engineering manager",
    "DevOps consultant",
    "Developer advocate",
    "Backend developer",
    "Security engineer",
    "Data engineer",
    "Product manager",
    "Head of infrastructure",
    "Freelance cloud architect",
    "Recruiter",
    "Founder",
]
# What a newcomer sees on the demo people's cards. Picked by the person's number, not drawn from the seeded
# random generator, so the rest of the demo (goals, topics, presence) stays what it was.
ASK_ME_ABOUT = [
    "Running Kubernetes on a tiny budget",
    "Our move off Jenkins",
    "On-call without burnout",
    "FinOps et factures cloud",
    "eBPF in production",
    "Recruter des ingés plateforme",
    "OpenTelemetry migrations",
    "",
]
FIND_ME_HINTS = [
    "Red scarf, by the window",
    "Green hoodie, near the coffee machine",
    "Tall, glasses, carrying a yellow backpack",
    "Veste en jean, près des stands",
    "Curly hair, laptop covered in stickers",
    "Béret noir, souvent au buffet",
    "",
]
GOALS = ["learn", "hire", "get_hired", "find_clients", "find_investors", "meet_speakers", "partner"]
TALKS = [
    ("Tracing at scale without going broke", ["OpenTelemetry", "Observability", "FinOps"], "Amphi A"),
    ("Our internal developer platform, two years on", ["Platform engineering", "Developer experience"], "Amphi A"),
    ("eBPF for the rest of us", ["eBPF", "Observability"], "Salle 2"),
    ("GitOps at 400 clusters", ["GitOps", "Kubernetes"], "Salle 2"),
    ("Le postmortem sans reproche, en vrai", ["Incident management", "Site reliability engineering"], "Amphi A"),
    ("Signing everything: a supply chain story", ["Supply chain security", "Security"], "Salle 3"),
    ("Rust in the control plane", ["Rust", "Distributed systems"], "Salle 3"),
    ("Cloud souverain : ce qui change pour vos équipes", ["Sovereign cloud", "Security"], "Amphi A"),
    ("LLMs on call: helpful or harmful?", ["Large language models", "Incident management"], "Salle 2"),
    ("PostgreSQL on Kubernetes, honestly", ["PostgreSQL", "Kubernetes", "Databases"], "Salle 3"),
]


def build_demo(session: Session, settings: Settings) -> str:
    rng = random.Random(2026)
    organizer = add_organizer(session, ORGANIZER_EMAIL)
    event = session.exec(select(Event).where(Event.slug == SLUG)).first()
    now = utcnow().replace(second=0, microsecond=0)
    if event is None:
        event = _create_event(session, rng, organizer.id, now)
    event.starts_at = now - timedelta(hours=5)
    event.ends_at = now + timedelta(hours=10)
    session.add(event)
    _anchor_agenda(session, rng, event, now)
    until = _check_in_crowd(session, settings, event, now)
    link = create_magic_link(session, settings, organizer_id=organizer.id)
    attendees = session.exec(select(Attendee.id).where(Attendee.event_id == event.id)).all()
    zones = session.exec(select(Zone).where(col(Zone.event_id) == event.id).order_by(col(Zone.id))).all()
    zone_codes = ", ".join(f"{z.name} {z.code}" for z in zones)
    return (
        f"Demo event: {event.name} ({len(attendees)} attendees, {len(ZONES)} zones, {len(TOPICS)} topics)\n"
        f"{len(CROWD_ZONES)} of them are checked in and visible until {until:%H:%M} UTC (the current break's end)\n"
        f"Join code: {event.join_code}   join link: {settings.public_base_url}/join/{event.join_code}\n"
        f"Zone codes (type one on the Scan screen to check in): {zone_codes}\n"
        f"Organizer {organizer.email}, one-time login link ({settings.magic_link_minutes} min):\n{link}"
    )


# Where the demo crowd stands (indexes into ZONES): most at the coffee bar, where a newcomer checks in first.
CROWD_ZONES = [0] * 24 + [1] * 10 + [3] * 6 + [7] * 8 + [8] * 6 + [11] * 6


def _check_in_crowd(session: Session, settings: Settings, event: Event, now: datetime) -> datetime:
    """Every fifth demo attendee (speakers and exhibitors among them) visible and checked in for the
    current break, so a newcomer's first check-in shows people. Re-running moves the same people."""
    zones = {z.name: z for z in session.exec(select(Zone).where(Zone.event_id == event.id))}
    demo = session.exec(
        select(Attendee).where(col(Attendee.event_id) == event.id, col(Attendee.email).like("demo%@couloir.example"))
    ).all()
    crowd = sorted(demo, key=lambda a: int((a.email or "").removeprefix("demo").split("@")[0]))[::5][: len(CROWD_ZONES)]
    until = presence_end(session, settings, event.id, now)
    for attendee, zone_index in zip(crowd, CROWD_ZONES, strict=False):
        attendee.visible = True
        attendee.vouched = True  # as if they had signed in by their invitations, so they count in figures
        attendee.findable_as_speaker = attendee.role == "speaker"
        session.add(attendee)
        place(session, attendee=attendee, zone=zones[ZONES[zone_index][0]], now=now, expires_at=until)
    session.flush()
    _write_check_in_history(session, event, crowd, [zones[name].id for name, _, _ in ZONES], now)
    _write_contacts(session, event, demo, now)
    return until


def _write_check_in_history(
    session: Session, event: Event, crowd: list[Attendee], zone_ids: list[int], now: datetime
) -> None:
    """The crowd's check-ins of the day so far, for the organizers' heatmap: each earlier break, in zones
    drawn like the crowd's, then where they are now. Rewritten at each run, as the agenda is."""
    rng = random.Random(2026)
    crowd_ids = [a.id for a in crowd]
    session.execute(delete(CheckInRecord).where(col(CheckInRecord.attendee_id).in_(crowd_ids)))
    earlier = session.exec(
        select(AgendaBreak).where(AgendaBreak.event_id == event.id, AgendaBreak.ends_at <= now)
    ).all()
    rows = [
        CheckInRecord(
            event_id=event.id,
            zone_id=zone_ids[rng.choice(CROWD_ZONES)],
            attendee_id=attendee_id,
            checked_in_at=pause.starts_at + timedelta(minutes=rng.randrange(8)),
        )
        for pause in earlier
        for attendee_id in crowd_ids
    ]
    rows += [
        CheckInRecord(event_id=event.id, zone_id=zone_ids[zone_index], attendee_id=attendee_id, checked_in_at=now)
        for attendee_id, zone_index in zip(crowd_ids, CROWD_ZONES, strict=False)
    ]
    session.add_all(rows)
    session.flush()


# Contact exchanges the demo attendees made during the day's earlier breaks (each gives both sides a copy).
DEMO_EXCHANGES = 90


def _write_contacts(session: Session, event: Event, demo: Sequence[Attendee], now: datetime) -> None:
    """So the organizers' networking figures (contacts per hour, share with a contact, cost per contact) have
    a day to show. Between demo attendees only, rewritten at each run; a newcomer has none."""
    rng = random.Random(2026)
    demo = sorted(demo, key=lambda a: a.id)
    ids = [a.id for a in demo]
    # Only the demo's own exchanges: a newcomer's contacts with demo attendees stay on both sides.
    session.execute(delete(Contact).where(col(Contact.owner_id).in_(ids), col(Contact.other_attendee_id).in_(ids)))
    breaks = session.exec(select(AgendaBreak).where(AgendaBreak.event_id == event.id, AgendaBreak.ends_at <= now)).all()
    if not breaks:
        return
    topic_names = dict(session.exec(select(Topic.id, Topic.name).where(Topic.event_id == event.id)).all())
    interests: dict[int, set[str]] = {}
    for attendee_id, topic_id in session.exec(
        select(col(AttendeeInterest.attendee_id), col(AttendeeInterest.topic_id)).where(
            col(AttendeeInterest.attendee_id).in_(ids)
        )
    ):
        interests.setdefault(attendee_id, set()).add(topic_names[topic_id])
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < min(DEMO_EXCHANGES, len(demo) // 2):
        i, j = sorted(rng.sample(range(len(demo)), 2))
        pairs.add((i, j))
    for a, b in ((demo[i], demo[j]) for i, j in sorted(pairs)):
        pause = rng.choice(breaks)
        minutes = int((pause.ends_at - pause.starts_at).total_seconds() // 60)
        met_at = pause.starts_at + timedelta(minutes=rng.randrange(max(minutes, 1)))
        zone_name = ZONES[rng.choice(CROWD_ZONES)][0]
        shared = sorted(interests.get(a.id, set()) & interests.get(b.id, set()))
        for owner, other in ((a, b), (b, a)):
            session.add(
                Contact(
                    owner_id=owner.id,
                    other_attendee_id=other.id,
                    name=other.display_name,
                    headline=other.headline,
                    company=other.company or None,
                    event_name=event.name,
                    zone_name=zone_name,
                    shared_topics=shared,
                    how=rng.choice(["suggestion", "qr"]),
                    met_at=met_at,
                )
            )
    session.flush()


def _create_event(session: Session, rng: random.Random, organizer_id: int, now: datetime) -> Event:
    event = Event(
        slug=SLUG,
        name="Platform Days Paris (démo)",
        subject="platform engineering",
        description="Deux jours sur l'ingénierie de plateforme, l'observabilité et la fiabilité. "
        "Two days on platform engineering, observability and reliability.",
        timezone="Europe/Paris",
        starts_at=now,
        ends_at=now + timedelta(hours=10),
        languages=["fr", "en"],
        join_code=random_code(8),
        ticket_price_cents=150_000,
        currency="EUR",
    )
    session.add(event)
    session.flush()
    session.add(EventOrganizer(event_id=event.id, organizer_id=organizer_id))
    zones = []
    for name, kind, _ in ZONES:
        zone = Zone(event_id=event.id, name=name, kind=kind, checkin_token=new_secret_token(), code=random_code(4))
        session.add(zone)
        zones.append(zone)
    session.flush()
    pairs = {(i, j) for i, (_, _, ns) in enumerate(ZONES) for j in ns}
    for i, j in pairs | {(j, i) for i, j in pairs}:
        session.add(ZoneNeighbour(zone_id=zones[i].id, neighbour_id=zones[j].id))
    topics = []
    for name, synonyms in TOPICS.items():
        topic = Topic(event_id=event.id, name=name, key=fold(name), synonyms=synonyms)
        session.add(topic)
        topics.append(topic)
    session.flush()
    # A few topics are popular, most are niche: rarity is what makes a match interesting.
    weights = [8 if i < 5 else 3 if i < 15 else 1 for i in range(len(topics))]
    for n in range(300):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        attendee = Attendee(
            event_id=event.id,
            display_name=f"{first} {last}",
            headline=rng.choice(HEADLINES),
            company=rng.choice(COMPANIES),
            ask_me_about=ASK_ME_ABOUT[n % len(ASK_ME_ABOUT)],
            find_me_hint=FIND_ME_HINTS[n % len(FIND_ME_HINTS)],
            role="speaker" if n < 12 else "exhibitor" if n < 30 else "attendee",
            goals=rng.sample(GOALS, rng.randint(1, 3)),
            open_to_chat=rng.random() < 0.8,
            language=rng.choice(["fr", "fr", "en"]),
            email=f"demo{n}@couloir.example",
        )
        session.add(attendee)
        session.flush()
        chosen = {t.id for t in rng.choices(topics, weights=weights, k=rng.randint(4, 10))}
        session.add_all(AttendeeInterest(attendee_id=attendee.id, topic_id=t) for t in chosen)
    session.flush()
    return event


CURRENT_BREAK_STARTED = timedelta(minutes=5)
CURRENT_BREAK_LENGTH = timedelta(minutes=50)


def _anchor_agenda(session: Session, rng: random.Random, event: Event, now: datetime) -> None:
    """A day of talks and breaks around now, with a break on right now."""
    session.execute(delete(Talk).where(col(Talk.event_id) == event.id))
    session.execute(delete(AgendaBreak).where(col(AgendaBreak.event_id) == event.id))
    topics = {t.name: t.id for t in session.exec(select(Topic).where(Topic.event_id == event.id))}
    speakers = list(
        session.exec(
            select(col(Attendee.id))
            .where(col(Attendee.event_id) == event.id, col(Attendee.role) == "speaker")
            .order_by(col(Attendee.id))
        )
    )
    # Three talk slots (45 min + 20 min break) before now, so the fourth break started 5 minutes ago; it lasts
    # long enough for a newcomer to build, join, check in and meet people before it ends.
    talk_start = now - CURRENT_BREAK_STARTED - timedelta(minutes=65) * 3 - timedelta(minutes=45)
    talk_index = 0
    for slot in range(8):
        break_start = talk_start + timedelta(minutes=45)
        for room_talk in range(2):
            title, talk_topics, room = TALKS[talk_index % len(TALKS)]
            talk = Talk(
                event_id=event.id,
                title=title,
                abstract=f"A talk about {', '.join(talk_topics).lower()}.",
                room=room if room_talk == 0 else "Salle 4",
                starts_at=talk_start,
                ends_at=break_start,
                external_id=f"demo-{talk_index}",
            )
            session.add(talk)
            session.flush()
            session.add_all(TalkTopic(talk_id=talk.id, topic_id=topics[name]) for name in talk_topics)
            if speakers:
                session.add(TalkSpeaker(talk_id=talk.id, attendee_id=speakers[talk_index % len(speakers)]))
            talk_index += 1
        label = "Pause déjeuner / Lunch" if slot == 4 else "Pause café / Coffee break"
        length = {3: CURRENT_BREAK_LENGTH, 4: timedelta(minutes=60)}.get(slot, timedelta(minutes=20))
        session.add(AgendaBreak(event_id=event.id, label=label, starts_at=break_start, ends_at=break_start + length))
        talk_start = break_start + length
    session.flush()
