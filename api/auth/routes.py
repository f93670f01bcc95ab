from fastapi import APIRouter, BackgroundTasks, status
from sqlalchemy.engine import Engine

from api.auth import service
from api.auth.schemas import (
    AttendeeLinkRequest,
    LinkSent,
    MagicLinkRedeem,
    OrganizerLinkRequest,
    RefreshRequest,
    TokenPair,
)
from api.core import ratelimit
from api.core.config import Settings
from api.core.deps import ClientIP, EngineDep, SessionDep, SettingsDep
from api.core.errors import InvalidInput, NotAuthenticated, TooManyRequests, responses

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _limit_link_requests(engine: Engine, settings: Settings, ip: str) -> None:
    # Per address only: a limit per email would let anyone lock its owner out by asking for its links. The
    # mail budget (`send_email`) caps what a mailbox receives, silently, and links already sent stay valid.
    ratelimit.hit(engine, settings, f"magic-link:ip:{ip}", settings.magic_link_rate_per_ip)


@router.post(
    "/organizers/magic-link", status_code=status.HTTP_202_ACCEPTED, responses=responses(TooManyRequests, InvalidInput)
)
def request_organizer_link(
    data: OrganizerLinkRequest, background: BackgroundTasks, engine: EngineDep, settings: SettingsDep, ip: ClientIP
) -> LinkSent:
    """Always the same answer, whether or not the address belongs to an organizer."""
    email = data.email.lower()
    _limit_link_requests(engine, settings, ip)
    background.add_task(service.send_organizer_link, engine, settings, email)
    return LinkSent()


@router.post(
    "/attendees/magic-link", status_code=status.HTTP_202_ACCEPTED, responses=responses(TooManyRequests, InvalidInput)
)
def request_attendee_link(
    data: AttendeeLinkRequest, background: BackgroundTasks, engine: EngineDep, settings: SettingsDep, ip: ClientIP
) -> LinkSent:
    """Sign in again on another device: one link per event this address joined."""
    email = data.email.lower()
    _limit_link_requests(engine, settings, ip)
    background.add_task(service.send_attendee_links, engine, settings, email, data.event_slug)
    return LinkSent()


@router.post("/magic-link/redeem", responses=responses(NotAuthenticated, InvalidInput))
def redeem_magic_link(data: MagicLinkRedeem, session: SessionDep, settings: SettingsDep) -> TokenPair:
    return service.redeem_magic_link(session, settings, data.token)


@router.post("/refresh", responses=responses(NotAuthenticated, InvalidInput))
def refresh(data: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    return service.refresh(session, settings, data.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=responses(NotAuthenticated, InvalidInput))
def logout(data: RefreshRequest, session: SessionDep, settings: SettingsDep) -> None:
    service.logout(session, settings, data.refresh_token)
