"""Property-based fuzzing of every route of the OpenAPI schema with schemathesis.

Each operation gets generated requests, valid and invalid, sent over real HTTP to the real uvicorn server
of tests/conftest.py (the same middleware, body cap and error handlers a phone meets; the ASGI
transport would skip the socket layer). They are signed in as the rightful caller (the seeded event's
attendee or organizer, chosen with test_access's lists) and aimed at the seeded objects, so they get past
authentication and the 404 of a random id into the code that does the work. Checks: never a 5xx, every
status code and content type documented, bodies and headers as the schema says (so invalid input gets a
documented 4xx in the one error shape).

Examples are bounded and hypothesis is derandomized, so a CI run is stable and short.
"""

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from api.agenda.models import AgendaBreak, Talk
from api.attendees.models import Attendee
from api.contacts.models import Contact, ContactRequest
from api.core.config import Settings
from api.events.models import Event, Topic, Zone
from api.main import create_app
from api.push.models import Nudge, PushSubscription
from tests import factories
from tests.conftest import wipe
from tests.test_access import MEMBER, OWN, PUBLIC, SELF, build_world

EXAMPLES_PER_OPERATION = 20


def _schema() -> dict:
    with tempfile.TemporaryDirectory() as data_dir:
        # A throwaway data dir: the schema needs no database (as pwa/scripts/gen_api.py does it).
        return create_app(Settings(environment="test", data_dir=Path(data_dir), pwa_dir=None)).openapi()


schema = schemathesis.openapi.from_dict(_schema())
# Not negative_data_rejection: the requests are completed with a token and the seeded ids, so a request
# generated "without Authorization" or "with a bad id" no longer is; invalid input is still held to a
# documented status code (422) and never a 5xx by the checks below.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


# The seeded objects by the name of the path parameter that takes their id.
SEEDED = {
    "event_id": Event,
    "zone_id": Zone,
    "topic_id": Topic,
    "talk_id": Talk,
    "break_id": AgendaBreak,
    "attendee_id": Attendee,
    "subscription_id": PushSubscription,
    "nudge_id": Nudge,
    "contact_id": Contact,
    "request_id": ContactRequest,
}


@pytest.fixture(scope="module")
def seeded() -> dict:
    return {}


@pytest.fixture
def world(server, seeded):
    """The seeded world, built again only when an operation deleted part of it (a DELETE, an account erased),
    or another module wiped it: rebuilding it for each of ~80 operations would take most of the run."""
    with Session(server.engine) as session:
        intact = seeded and all(session.get(model, seeded["ids"][name]) for name, model in SEEDED.items())
    if not intact:
        wipe(server.engine)
        seeded.clear()
        seeded.update(build_world(server))
    return seeded


def caller_token(operation_id: str, world: dict) -> str | None:
    if operation_id in PUBLIC:
        return None
    if operation_id in SELF | OWN | MEMBER:
        return world["owner"]["tokens"]["access_token"]
    return world["org_a"]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    # One seeded world per operation, shared by its examples on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_route_survives_generated_requests(case, server, world):
    # Aim at the seeded objects: a random id only ever meets a 404.
    for name in case.path_parameters:
        if name in world["ids"]:
            case.path_parameters[name] = world["ids"][name]
    headers = {"Idempotency-Key": factories.new_key()}
    token = caller_token(case.operation.definition.raw["operationId"], world)
    if token and "authorization" not in {h.lower() for h in case.headers or {}}:
        headers["Authorization"] = f"Bearer {token}"
    case.call_and_validate(base_url=server.base_url, headers=headers, checks=CHECKS)
