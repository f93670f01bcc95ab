"""Blocks and reports between attendees of one event. The caller commits."""

from sqlalchemy import delete, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from api.attendees.models import Attendee
from api.attendees.visibility import shown_attendee
from api.core.db import conflict_insert
from api.core.errors import InvalidInput
from api.rendezvous.service import erase_between
from api.safety.models import Block, Report
from api.safety.schemas import BlockPublic, PersonRef, ReportAdmin, ReportCreate, ReportPublic, ReportReason
from api.saved.service import forget_between


def _other_attendee(session: Session, me: Attendee, attendee_id: int, verb: str) -> Attendee:
    """Someone I may be shown, blocks aside (api/attendees/visibility.py): I can block or report whoever I
    legitimately saw, again after a block, and anyone else reads as an unknown id."""
    if attendee_id == me.id:
        raise InvalidInput(f"You cannot {verb} yourself")
    return shown_attendee(session, me, attendee_id, despite_blocks=True)


def block(session: Session, me: Attendee, attendee_id: int) -> BlockPublic:
    """Takes effect at once, both ways; blocking again changes nothing."""
    other = _other_attendee(session, me, attendee_id, "block")
    insert = conflict_insert(session.get_bind())
    session.execute(insert(Block).values(blocker_id=me.id, blocked_id=other.id).on_conflict_do_nothing())
    forget_between(session, me.id, other.id)
    erase_between(session, me.id, other.id)
    row = session.exec(select(Block).where(Block.blocker_id == me.id, Block.blocked_id == other.id)).one()
    return BlockPublic(attendee=PersonRef(id=other.id, display_name=other.display_name), blocked_at=row.created_at)


def unblock(session: Session, me: Attendee, attendee_id: int) -> None:
    session.execute(delete(Block).where(col(Block.blocker_id) == me.id, col(Block.blocked_id) == attendee_id))


def my_blocks(session: Session, me: Attendee) -> list[BlockPublic]:
    rows = session.exec(
        select(Block.created_at, Attendee.id, Attendee.display_name)
        .join(Attendee, col(Attendee.id) == col(Block.blocked_id))
        .where(Block.blocker_id == me.id)
        .order_by(col(Block.created_at).desc())
    )
    return [BlockPublic(attendee=PersonRef(id=a_id, display_name=name), blocked_at=at) for at, a_id, name in rows]


def blocked_either_way(session: Session, attendee_id: int) -> set[int]:
    """Everyone this attendee blocked or was blocked by."""
    rows = session.exec(
        select(Block.blocker_id, Block.blocked_id).where(
            or_(col(Block.blocker_id) == attendee_id, col(Block.blocked_id) == attendee_id)
        )
    )
    return {blocked if blocker == attendee_id else blocker for blocker, blocked in rows}


def report(session: Session, me: Attendee, data: ReportCreate) -> ReportPublic:
    other = _other_attendee(session, me, data.attendee_id, "report")
    filed = Report(
        event_id=me.event_id, reporter_id=me.id, reported_id=other.id, reason=data.reason.value, details=data.details
    )
    session.add(filed)
    session.flush()
    return ReportPublic(
        id=filed.id,
        attendee_id=other.id,
        reason=ReportReason(filed.reason),
        details=filed.details,
        created_at=filed.created_at,
    )


def reports_of_event(session: Session, event_id: int, *, limit: int, offset: int) -> tuple[list[ReportAdmin], int]:
    reported, reporter = aliased(Attendee), aliased(Attendee)
    total = session.exec(select(func.count()).select_from(Report).where(Report.event_id == event_id)).one()
    rows = session.exec(
        select(Report, reported.display_name, reporter.display_name)
        .join(reported, col(reported.id) == col(Report.reported_id))
        .outerjoin(reporter, col(reporter.id) == col(Report.reporter_id))
        .where(Report.event_id == event_id)
        .order_by(col(Report.created_at).desc(), col(Report.id).desc())
        .limit(limit)
        .offset(offset)
    )
    items = [
        ReportAdmin(
            id=r.id,
            reported=PersonRef(id=r.reported_id, display_name=reported_name),
            reporter=PersonRef(id=r.reporter_id, display_name=reporter_name) if r.reporter_id else None,
            reason=ReportReason(r.reason),
            details=r.details,
            created_at=r.created_at,
        )
        for r, reported_name, reporter_name in rows
    ]
    return items, total
