"""Who may see whom: the one rule for whose card an attendee is shown, and for who counts in the figures
attendees see. Every route that shows another attendee, or counts people for an attendee, asks here.

Cards. An attendee is shown another attendee of their event (card: name, headline, company, role, topics;
or their name, as a block's answer does) only if neither blocked the other and one of these holds:
- they are contacts (either side holds a copy of a mutual exchange);
- one asked the other for a contact exchange, whatever the answer (a decline is never told);
- one proposed a rendezvous to the other, whatever came of it;
- both are visible and present now, in one zone or two neighbouring ones: who suggestions show;
- the other speaks in the event's programme (which names them anyway) and opted in to be found as its speaker.
Anyone else is answered exactly as an unknown id is. One's own card is one's own. The event's organizers see
every card: they import and manage its attendees. Private details (email, phone, website) are in no card.
A card's photo follows its card: shown to whoever may be shown the card, the same answer as an unknown id
otherwise; a contact's photo is the other's current one (gone with their account), while neither blocked.

Blocking and reporting ask the same rule with blocks left out, and one's own block of someone as one more tie
(that block was made under the rule): blocking again, or reporting someone one blocked after they walked
away, stays possible, and whether the other blocked you changes nothing in the answer.

Figures. A count shown to attendees (zone counts and their topics, huddles, "where to go", nudges) counts only
people other than the caller who are visible and vouched: signed in by a personal link at least once (an
organizer's invitation, or a sign-in link sent to their email). Hidden people are never counted, and accounts
made by the dozen with the open join code cannot fill a group up to the mask's threshold around one person.
The organizers' dashboard is theirs: its aggregates count everyone present (api/dashboard).
"""

from sqlalchemy import and_, exists, literal, or_, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from api.agenda.models import TalkSpeaker
from api.attendees.models import Attendee
from api.contacts.models import Contact, ContactRequest
from api.core.db import utcnow
from api.core.errors import NotFound
from api.events.models import ZoneNeighbour
from api.presence.models import TRAIT_BITS, Presence
from api.rendezvous.models import Rendezvous
from api.safety.models import Block

UNKNOWN_ATTENDEE = "No such attendee in this event"

# Who counts in the figures attendees see, besides "not the caller": as a condition on Attendee rows, and as
# the trait bit of a present person's topic rows (what the in-memory crowd and the nudge planner read).
COUNTED = and_(col(Attendee.visible), col(Attendee.vouched))
COUNTED_TRAIT = TRAIT_BITS["vouched"]


def counted(traits: int) -> bool:
    """Whether a present, visible person (their topic rows' `traits`) counts in attendees' figures."""
    return bool(traits & COUNTED_TRAIT)


def shown_attendee(session: Session, viewer: Attendee, attendee_id: int, *, despite_blocks: bool = False) -> Attendee:
    """The attendee `attendee_id` if `viewer` may be shown them (the rule above); else NotFound, worded as for an
    id that does not exist. `despite_blocks`: for blocking and reporting, blocks either way left out."""
    other = session.get(Attendee, attendee_id)
    if other is None or other.event_id != viewer.event_id:
        raise NotFound(UNKNOWN_ATTENDEE)
    if other.id == viewer.id:
        return other
    if not despite_blocks and _blocked_either_way(session, viewer.id, other.id):
        raise NotFound(UNKNOWN_ATTENDEE)
    if not (_related(session, viewer.id, other, my_block=despite_blocks) or _near(session, viewer, other)):
        raise NotFound(UNKNOWN_ATTENDEE)
    return other


def contacts_shown(session: Session, viewer_id: int, contact_ids: set[int]) -> set[int]:
    """Of the people `viewer_id` holds as contacts (a tie: their cards are shown), those neither side blocked."""
    if not contact_ids:
        return set()
    rows = session.exec(
        select(Block.blocker_id, Block.blocked_id).where(
            or_(
                and_(col(Block.blocker_id) == viewer_id, col(Block.blocked_id).in_(contact_ids)),
                and_(col(Block.blocked_id) == viewer_id, col(Block.blocker_id).in_(contact_ids)),
            )
        )
    )
    return contact_ids - {other for pair in rows for other in pair}


def _blocked_either_way(session: Session, a: int, b: int) -> bool:
    pair = or_(
        and_(col(Block.blocker_id) == a, col(Block.blocked_id) == b),
        and_(col(Block.blocker_id) == b, col(Block.blocked_id) == a),
    )
    return session.exec(select(literal(1)).where(exists().where(pair))).first() is not None


def _related(session: Session, viewer_id: int, other: Attendee, *, my_block: bool) -> bool:
    """A contact, a contact request or a rendezvous either way, a findable speaker, or (`my_block`) my block of
    them: one statement."""
    ties = [
        select(Contact.id).where(
            or_(
                and_(col(Contact.owner_id) == viewer_id, col(Contact.other_attendee_id) == other.id),
                and_(col(Contact.owner_id) == other.id, col(Contact.other_attendee_id) == viewer_id),
            )
        ),
        select(ContactRequest.id).where(
            or_(
                and_(col(ContactRequest.from_attendee_id) == viewer_id, col(ContactRequest.to_attendee_id) == other.id),
                and_(col(ContactRequest.from_attendee_id) == other.id, col(ContactRequest.to_attendee_id) == viewer_id),
            )
        ),
        select(Rendezvous.id).where(
            Rendezvous.first_id == min(viewer_id, other.id), Rendezvous.second_id == max(viewer_id, other.id)
        ),
    ]
    if other.findable_as_speaker:
        ties.append(select(TalkSpeaker.talk_id).where(TalkSpeaker.attendee_id == other.id))
    if my_block:
        ties.append(select(Block.blocked_id).where(Block.blocker_id == viewer_id, Block.blocked_id == other.id))
    return session.exec(select(literal(1)).where(exists(union_all(*ties)))).first() is not None


def _near(session: Session, viewer: Attendee, other: Attendee) -> bool:
    """Both visible, both present now, in one zone or neighbouring ones (neighbours are stored both ways)."""
    if not (viewer.visible and other.visible):
        return False
    now = utcnow()
    mine, theirs = aliased(Presence), aliased(Presence)
    neighbours = exists().where(
        col(ZoneNeighbour.zone_id) == mine.zone_id, col(ZoneNeighbour.neighbour_id) == theirs.zone_id
    )
    row = session.exec(
        select(literal(1))
        .select_from(mine)
        .join(theirs, col(theirs.attendee_id) == other.id)
        .where(
            mine.attendee_id == viewer.id,
            mine.expires_at > now,
            theirs.expires_at > now,
            or_(col(theirs.zone_id) == mine.zone_id, neighbours),
        )
    ).first()
    return row is not None
