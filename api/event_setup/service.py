"""The organizer's set-up: importing the programme and the attendees. The caller commits.

Files are read and checked whole first (api.event_setup.parsers); writing starts only once they are
known good, in the request's transaction, so a failure leaves the event as it was.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.agenda import service as agenda
from api.agenda.models import Talk
from api.agenda.schemas import BreakCreate, BreakUpdate, TalkCreate, TalkUpdate
from api.attendees.models import Attendee
from api.auth.service import create_invitation_link
from api.core.config import Settings
from api.core.db import utcnow
from api.core.errors import Conflict
from api.core.mailer import Attachment, send_email
from api.event_setup import posters
from api.event_setup.parsers import BreakRow, Programme, SpeakerRef, TalkRow, TicketRow
from api.event_setup.schemas import AttendeeImportSummary, Invitation, ProgrammeImportSummary, SkippedTicket, SkipReason
from api.events.models import Event, Topic
from api.events.service import fold, topic_vocabulary

log = logging.getLogger("couloir.organizer")

_CONCURRENT = "Another import of this event ran at the same time: try again"


# Programme --------------------------------------------------------------------------------------


def import_programme(session: Session, event: Event, programme: Programme) -> ProgrammeImportSummary:
    """Talks are matched by their id in the file (Talk.external_id), breaks by their exact slot: a
    re-import updates them. Nothing is deleted: talks the file no longer has are reported."""
    try:
        topics = _TopicMap(session, event)
        speakers = _SpeakerMap(session, event)
        talks = _import_talks(session, event, programme.talks, topics, speakers)
        breaks = _import_breaks(session, event, programme.breaks)
    except IntegrityError:
        raise Conflict(_CONCURRENT) from None
    return ProgrammeImportSummary(
        format=programme.format,
        talks_created=talks["created"],
        talks_updated=talks["updated"],
        talks_unchanged=talks["unchanged"],
        breaks_created=breaks["created"],
        breaks_updated=breaks["updated"],
        breaks_unchanged=breaks["unchanged"],
        topics_created=topics.created,
        speakers_linked=len(speakers.linked),
        speakers_created=speakers.created,
        talks_not_in_file=talks["not_in_file"],
        warnings=_warnings(event, programme),
    )


class _TopicMap:
    """Track and tag names → the event's topics, by folded name or synonym; missing ones are created."""

    def __init__(self, session: Session, event: Event):
        self.session = session
        self.event = event
        self.vocabulary = topic_vocabulary(session, event.id)
        self.created: list[str] = []

    def ids(self, names: list[str]) -> list[int]:
        ids: dict[int, None] = {}
        for name in names:
            key = fold(name)
            topic = self.vocabulary.get(key)
            if topic is None:
                topic = Topic(event_id=self.event.id, name=name, key=key, synonyms=[])
                self.session.add(topic)
                self.session.flush()
                self.vocabulary[key] = topic
                self.created.append(name)
            ids[topic.id] = None
        return list(ids)


class _SpeakerMap:
    """A speaker is the event's attendee with their email, else with exactly their name (a speaker
    first, then the earliest); else a new attendee with the speaker role and no email, so the talk shows
    them (an email in a schedule was given for the organizer's use, not to sign anyone in with)."""

    def __init__(self, session: Session, event: Event):
        self.session = session
        self.event = event
        attendees = session.exec(
            select(Attendee).where(col(Attendee.event_id) == event.id).order_by(col(Attendee.id))
        ).all()
        self.by_email = {a.email: a for a in attendees if a.email}
        self.by_name: dict[str, Attendee] = {}
        for attendee in sorted(attendees, key=lambda a: (a.role != "speaker", a.id)):
            self.by_name.setdefault(attendee.display_name, attendee)
        self.linked: set[int] = set()
        self.created: list[str] = []
        self._created_ids: set[int] = set()

    def ids(self, refs: list[SpeakerRef]) -> list[int]:
        ids: dict[int, None] = {}
        for ref in refs:
            attendee = ref.email and self.by_email.get(ref.email)
            if attendee:
                # The same name elsewhere in the file, without the email, is the same person.
                self.by_name.setdefault(ref.name, attendee)
            else:
                attendee = self.by_name.get(ref.name)
            if attendee is None:
                attendee = Attendee(
                    event_id=self.event.id, display_name=ref.name, role="speaker", language=self.event.languages[0]
                )
                self.session.add(attendee)
                self.session.flush()
                self.by_name[ref.name] = attendee
                self.created.append(ref.name)
                self._created_ids.add(attendee.id)
            elif attendee.id not in self._created_ids:
                self.linked.add(attendee.id)
                if attendee.role == "attendee":
                    attendee.role = "speaker"
                    self.session.add(attendee)
            ids[attendee.id] = None
        return list(ids)


def _import_talks(
    session: Session, event: Event, rows: list[TalkRow], topics: _TopicMap, speakers: _SpeakerMap
) -> dict[str, Any]:
    imported = {
        t.external_id: t
        for t in session.exec(select(Talk).where(col(Talk.event_id) == event.id, col(Talk.external_id).is_not(None)))
    }
    links = {t.id: (t.topic_ids, sorted(s.id for s in t.speakers)) for t in agenda.talks_public(session, event.id)}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        fields: dict[str, Any] = {
            "title": row.title,
            "abstract": row.abstract,
            "room": row.room,
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "topic_ids": topics.ids(row.topics),
            "speaker_ids": speakers.ids(row.speakers),
        }
        talk = imported.get(row.external_id)
        if talk is None:
            agenda.create_talk(session, event, TalkCreate(**fields), external_id=row.external_id)
            counts["created"] += 1
        elif _talk_differs(talk, links[talk.id], fields):
            agenda.update_talk(session, talk, TalkUpdate(**fields))
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    in_file = {row.external_id for row in rows}
    return counts | {"not_in_file": sorted(t.id for key, t in imported.items() if key not in in_file)}


def _talk_differs(talk: Talk, links: tuple[list[int], list[int]], fields: dict[str, Any]) -> bool:
    topic_ids, speaker_ids = links
    return (
        any(getattr(talk, name) != fields[name] for name in ("title", "abstract", "room", "starts_at", "ends_at"))
        or sorted(topic_ids) != sorted(fields["topic_ids"])
        or speaker_ids != sorted(fields["speaker_ids"])
    )


def _import_breaks(session: Session, event: Event, rows: list[BreakRow]) -> dict[str, int]:
    existing = {(b.starts_at, b.ends_at): b for b in agenda.list_breaks(session, event.id)}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    seen: set[tuple[datetime, datetime]] = set()
    for row in rows:
        slot = (row.starts_at, row.ends_at)
        # Schedules repeat a break in every room: one break of the event.
        if slot in seen:
            continue
        seen.add(slot)
        current = existing.get(slot)
        if current is None:
            agenda.create_break(
                session, event, BreakCreate(label=row.label, starts_at=row.starts_at, ends_at=row.ends_at)
            )
            counts["created"] += 1
        elif current.label != row.label:
            agenda.update_break(session, current, BreakUpdate(label=row.label))
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def _warnings(event: Event, programme: Programme) -> list[str]:
    warnings = []
    if programme.file_timezone and programme.file_timezone != event.timezone:
        warnings.append(
            f"The file is in the time zone {programme.file_timezone} and the event in {event.timezone}: "
            f"times without an offset were read in {event.timezone}"
        )
    slots: list[TalkRow | BreakRow] = [*programme.talks, *programme.breaks]
    outside = sum(1 for s in slots if s.ends_at <= event.starts_at or s.starts_at >= event.ends_at)
    if outside:
        warnings.append(
            f"{outside} talks or breaks fall outside the event's dates: check the event's dates and time zone"
        )
    return warnings


# Attendees --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    to: str
    display_name: str
    join_url: str


def import_attendees(
    session: Session, settings: Settings, event: Event, tickets: list[TicketRow], *, send: bool
) -> tuple[AttendeeImportSummary, list[Letter]]:
    """New attendees, each with a personal join link. Someone already in the event (same email; without
    email, the same name among those without email) is skipped and gets no new link: re-importing a
    newer export only adds the newcomers. A speaker the programme import added (no email, exact
    name) is completed with the ticket's email rather than duplicated.

    With `send`, the returned letters are to be emailed after the commit; the summary keeps the links
    of those without email, to print."""
    if event.ends_at <= utcnow():
        raise Conflict("This event is over: join links would not work")
    attendees = session.exec(
        select(Attendee).where(col(Attendee.event_id) == event.id).order_by(col(Attendee.id))
    ).all()
    by_email = {a.email: a for a in attendees if a.email}
    placeholders = {a.display_name: a for a in reversed(attendees) if a.email is None and a.role == "speaker"}
    without_email: dict[str, int] = {}
    attendee: Attendee | None
    for attendee in attendees:
        if attendee.email is None:
            without_email[attendee.display_name] = without_email.get(attendee.display_name, 0) + 1
    seen_emails: set[str] = set()
    skipped: list[SkippedTicket] = []
    invited: list[Attendee] = []
    created = completed = 0
    for ticket in tickets:
        reason = None
        if not ticket.paid:
            reason = SkipReason.not_paid
        elif ticket.email in seen_emails:
            reason = SkipReason.repeated_in_file
        elif ticket.email in by_email:
            reason = SkipReason.already_in_event
        elif ticket.email is None and without_email.get(ticket.name, 0) > 0:
            without_email[ticket.name] -= 1
            reason = SkipReason.already_in_event
        if reason is not None:
            status = ticket.status if reason == SkipReason.not_paid else None
            skipped.append(
                SkippedTicket(
                    line=ticket.line, display_name=ticket.name, email=ticket.email, reason=reason, status=status
                )
            )
            continue
        if ticket.email:
            seen_emails.add(ticket.email)
        attendee = placeholders.pop(ticket.name, None) if ticket.email else None
        if attendee is not None:
            without_email[ticket.name] -= 1
            attendee.email = ticket.email
            attendee.company = attendee.company or ticket.company
            completed += 1
        else:
            attendee = Attendee(
                event_id=event.id,
                display_name=ticket.name,
                email=ticket.email,
                company=ticket.company,
                language=event.languages[0],
            )
            created += 1
        session.add(attendee)
        invited.append(attendee)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(_CONCURRENT) from None
    invitations = [
        Invitation(
            attendee_id=a.id,
            display_name=a.display_name,
            email=a.email,
            join_url=create_invitation_link(session, settings, attendee=a, event=event),
        )
        for a in invited
    ]
    letters = [
        Letter(to=i.email, display_name=i.display_name, join_url=i.join_url) for i in invitations if send and i.email
    ]
    summary = AttendeeImportSummary(
        created=created,
        speakers_completed=completed,
        skipped=skipped,
        emailed=len(letters),
        invitations=[i for i in invitations if not (send and i.email)],
    )
    return summary, letters


def send_invitations(engine: Engine, settings: Settings, event: Event, letters: list[Letter]) -> None:
    """Runs after the response, once the links are committed. One failing address does not stop the rest."""
    for letter in letters:
        try:
            send_email(
                engine,
                settings,
                to=letter.to,
                subject=_SUBJECT[event.languages[0]].format(event=event.name),
                body=_invitation_body(event, letter),
                # The same link as a QR: scanned from a laptop screen or printed on the badge.
                attachments=(Attachment("couloir-pass.png", posters.qr_png(letter.join_url), "image", "png"),),
            )
        except Exception:
            log.exception("could not email a join link")  # the address is personal data: not logged


_SUBJECT = {"en": "Your pass to the hallway of {event}", "fr": "Votre accès au couloir de {event}"}
_BODY = {
    "en": (
        "Hello {name},\n\n"
        "Open this personal link on your phone to join {event} on Couloir, and meet the people who share "
        "your topics between two talks. It works once, until the end of the event: keep it to yourself.\n\n"
        "{link}\n\n"
        "The attached QR code opens the same link: scan it with your phone's camera.\n"
    ),
    "fr": (
        "Bonjour {name},\n\n"
        "Ouvrez ce lien personnel sur votre téléphone pour rejoindre {event} sur Couloir, et rencontrer entre "
        "deux conférences les personnes qui partagent vos sujets. Il sert une fois, jusqu'à la fin de "
        "l'événement : gardez-le pour vous.\n\n"
        "{link}\n\n"
        "Le QR code joint ouvre le même lien : scannez-le avec l'appareil photo de votre téléphone.\n"
    ),
}


def _invitation_body(event: Event, letter: Letter) -> str:
    # The event's first language first; both, since we do not know the attendee's yet.
    languages = [*event.languages, *(code for code in ("fr", "en") if code not in event.languages)]
    return "\n".join(
        _BODY[code].format(name=letter.display_name, event=event.name, link=letter.join_url) for code in languages
    )
