"""Personal data: an attendee's export of everything held about them, and the retention purge.

Erasure itself is the attendee row's deletion (DELETE /api/me): every table holding their data
references it with ON DELETE CASCADE, except a contact copy held by someone else, which keeps only
what was exchanged with them.
"""

import base64
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from api.agenda.service import bookmarked_talk_ids
from api.attendees.models import Attendee, AttendeePhoto
from api.attendees.service import private_profile
from api.contacts.models import Contact, ContactRequest
from api.contacts.service import publics, sharing_of
from api.core.db import rowcount
from api.events.models import Event, Zone
from api.presence.models import CheckInRecord, Presence, PresenceChange, PresenceTopic
from api.push.models import Nudge, PushPreference, PushSubscription
from api.rendezvous.service import exported as exported_rendezvous
from api.safety.models import Block, Report
from api.saved.models import SavedPerson


def export(session: Session, me: Attendee) -> dict[str, Any]:
    """Everything Couloir holds about this attendee, as one JSON document."""
    event = session.get_one(Event, me.event_id)
    zones = dict(session.exec(select(Zone.id, Zone.name).where(Zone.event_id == me.event_id)).all())
    check_ins = session.exec(
        select(CheckInRecord).where(col(CheckInRecord.attendee_id) == me.id).order_by(col(CheckInRecord.checked_in_at))
    )
    presence = session.exec(select(Presence).where(Presence.attendee_id == me.id)).first()
    requests = session.exec(
        select(ContactRequest).where(
            (ContactRequest.from_attendee_id == me.id) | (ContactRequest.to_attendee_id == me.id)
        )
    )
    preference = session.get(PushPreference, me.id)
    photo = session.get(AttendeePhoto, me.id)
    return {
        "event": {"id": event.id, "name": event.name},
        "profile": private_profile(session, me).model_dump(mode="json"),
        # As stored and served: the server's re-encoding, without the original's metadata.
        "photo": (
            {"media_type": photo.media_type, "base64": base64.b64encode(photo.image).decode("ascii")} if photo else None
        ),
        "sharing": sharing_of(session, me.id).model_dump(exclude={"attendee_id"}),
        "presence": (
            {
                "zone": zones.get(presence.zone_id),
                "checked_in_at": presence.checked_in_at.isoformat(),
                "expires_at": presence.expires_at.isoformat(),
            }
            if presence
            else None
        ),
        "check_ins": [{"zone": zones.get(c.zone_id), "at": c.checked_in_at.isoformat()} for c in check_ins],
        "contacts": [
            c.model_dump(mode="json")
            for c in publics(
                session,
                me,
                list(session.exec(select(Contact).where(col(Contact.owner_id) == me.id).order_by(col(Contact.met_at)))),
            )
        ],
        "contact_requests": [
            {
                "direction": "sent" if r.from_attendee_id == me.id else "received",
                "message": r.message,
                "status": r.status if r.to_attendee_id == me.id or r.status == "accepted" else "pending",
                "created_at": r.created_at.isoformat(),
            }
            for r in requests
        ],
        "bookmarked_talks": bookmarked_talk_ids(session, me),
        "blocks": [b.blocked_id for b in session.exec(select(Block).where(Block.blocker_id == me.id))],
        "saved_people": [
            {"attendee_id": s.saved_id, "saved_at": s.created_at.isoformat()}
            for s in session.exec(
                select(SavedPerson).where(SavedPerson.owner_id == me.id).order_by(col(SavedPerson.created_at))
            )
        ],
        "reports_made": [
            {"about": r.reported_id, "reason": r.reason, "created_at": r.created_at.isoformat()}
            for r in session.exec(select(Report).where(Report.reporter_id == me.id))
        ],
        "push_devices": [
            {"endpoint": s.endpoint, "created_at": s.created_at.isoformat()}
            for s in session.exec(select(PushSubscription).where(PushSubscription.attendee_id == me.id))
        ],
        "push_preferences": preference.model_dump(exclude={"attendee_id"}) if preference else None,
        "rendezvous": exported_rendezvous(session, me),
        "nudges": [
            {"reason": n.reason, "status": n.status, "created_at": n.created_at.isoformat()}
            for n in session.exec(select(Nudge).where(col(Nudge.attendee_id) == me.id).order_by(col(Nudge.created_at)))
        ],
    }


def purge_presence_history(session: Session, now: datetime) -> int:
    """Delete presence (history included) of events that ended more than their retention days ago.

    Contacts stay with their owners. Returns the number of check-in history rows deleted.
    """
    finished = [
        event_id
        for event_id, ends_at, days in session.exec(select(Event.id, Event.ends_at, Event.presence_retention_days))
        if ends_at + timedelta(days=days) <= now
    ]
    if not finished:
        return 0
    attendees = sa_select(col(Attendee.id)).where(col(Attendee.event_id).in_(finished))
    session.execute(delete(PresenceTopic).where(col(PresenceTopic.attendee_id).in_(attendees)))
    session.execute(delete(Presence).where(col(Presence.event_id).in_(finished)))
    return rowcount(session.execute(delete(CheckInRecord).where(col(CheckInRecord.event_id).in_(finished))))


def purge_erased_presence_marks(session: Session) -> int:
    """Delete the change marks (PresenceChange) of erased attendees: kept only until the processes that
    serve suggestions have read them, which they do at their next call, far within a cleanup interval."""
    erased = ~sa_select(col(Attendee.id)).where(col(Attendee.id) == col(PresenceChange.attendee_id)).exists()
    return rowcount(session.execute(delete(PresenceChange).where(erased)))


def purge_ended_presence_topics(session: Session, now: datetime) -> int:
    """Delete the topic rows of presences that have ended (expired, not followed by a new check-in).

    Matching already skips them; deleted, they no longer say what someone who left was interested in."""
    return rowcount(session.execute(delete(PresenceTopic).where(col(PresenceTopic.expires_at) <= now)))
