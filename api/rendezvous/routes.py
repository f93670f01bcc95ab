from fastapi import APIRouter, Response, status

from api.auth.callers import CurrentAttendee
from api.core.deps import SessionDep, SettingsDep
from api.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, responses
from api.core.idempotency import RunOnce
from api.core.schemas import PathId
from api.rendezvous import service
from api.rendezvous.schemas import CounterProposal, RendezvousCreate, RendezvousPublic

router = APIRouter(prefix="/api/me/rendezvous", tags=["rendezvous"], responses=responses(NotAuthenticated))
ANSWER_RESPONSES = responses(NotFound, Conflict)


@router.get("")
def list_my_rendezvous(attendee: CurrentAttendee, session: SessionDep) -> list[RendezvousPublic]:
    """Mine, by their break's start: proposed (by me or to me), agreed, met, cancelled, over, and those I proposed
    that were declined ("not this time")."""
    return service.my_rendezvous(session, attendee)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RendezvousPublic,
    responses=responses(NotFound, Conflict, InvalidInput),
)
def propose_rendezvous(
    data: RendezvousCreate, attendee: CurrentAttendee, session: SessionDep, settings: SettingsDep, once: RunOnce
) -> Response:
    """Propose to meet someone I may be shown at a zone during a coming break (or the one under way). If they
    proposed the same break to me meanwhile, this answers theirs: the same zone agrees, another zone proposes it."""
    return once(data, lambda: service.propose(session, settings, attendee, data))


@router.post("/{rendezvous_id}/accept", response_model=RendezvousPublic, responses=ANSWER_RESPONSES)
def accept_rendezvous(rendezvous_id: PathId, attendee: CurrentAttendee, session: SessionDep, once: RunOnce) -> Response:
    return once({"rendezvous_id": rendezvous_id}, lambda: service.accept(session, attendee, rendezvous_id))


@router.post("/{rendezvous_id}/decline", response_model=RendezvousPublic, responses=ANSWER_RESPONSES)
def decline_rendezvous(
    rendezvous_id: PathId, attendee: CurrentAttendee, session: SessionDep, once: RunOnce
) -> Response:
    """They are told "not this time", nothing more."""
    return once({"rendezvous_id": rendezvous_id}, lambda: service.decline(session, attendee, rendezvous_id))


@router.post(
    "/{rendezvous_id}/counter", response_model=RendezvousPublic, responses=responses(NotFound, Conflict, InvalidInput)
)
def counter_rendezvous(
    rendezvous_id: PathId, data: CounterProposal, attendee: CurrentAttendee, session: SessionDep, once: RunOnce
) -> Response:
    """Propose another break or zone instead: the rendezvous then waits for their answer."""
    payload = {"rendezvous_id": rendezvous_id, **data.model_dump(mode="json")}
    return once(payload, lambda: service.counter(session, attendee, rendezvous_id, data))


@router.post("/{rendezvous_id}/cancel", response_model=RendezvousPublic, responses=ANSWER_RESPONSES)
def cancel_rendezvous(rendezvous_id: PathId, attendee: CurrentAttendee, session: SessionDep, once: RunOnce) -> Response:
    return once({"rendezvous_id": rendezvous_id}, lambda: service.cancel(session, attendee, rendezvous_id))


@router.post("/{rendezvous_id}/met", response_model=RendezvousPublic, responses=ANSWER_RESPONSES)
def confirm_rendezvous_met(
    rendezvous_id: PathId, attendee: CurrentAttendee, session: SessionDep, once: RunOnce
) -> Response:
    """ "We met": from the break's start on. `is_contact` says whether a contact exchange would be new."""
    return once({"rendezvous_id": rendezvous_id}, lambda: service.met(session, attendee, rendezvous_id))
