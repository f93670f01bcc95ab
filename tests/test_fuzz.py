"""Property-based fuzzing of every route of the OpenAPI schema with schemathesis.

Each operation gets generated requests, valid and invalid, sent over real HTTP to the real uvicorn server
of tests/conftest.py (the same middleware, body cap and error handlers a phone meets; the ASGI
transport would skip the socket layer). They are signed in as the rightful caller (the seeded event's
attendee or organizer, chosen with test_access's lists) and aimed at the seeded objects, so they get past
authentication and the 404 of a random id into the code that does the work. Checks: never a 5xx, every
status code and content type documented, bodies and headers as the schema says (so invalid input gets a
documented 4xx in the one error shape).

Strings are not left to chance: about half the valid examples get some of their strings (in the body, the query
or the path) replaced by a hostile one, a NUL most often, else a control character or a string past any
column's length (a string of a random example rarely holds a NUL, and PostgreSQL answered 500 to every one
that reached it; in a valid example the rest of the request gets that far). Headers get only the long ones:
NUL and control characters cannot be sent in a header.

Examples are bounded and hypothesis is derandomized, so a CI run is stable and short.
"""

import copy
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
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
from tests.test_access import EVENT_OBJECT, MEMBER, OWN, PUBLIC, SELF, build_world

EXAMPLES_PER_OPERATION = 20


def _schema() -> dict:
    with tempfile.TemporaryDirectory() as data_dir:
        # A throwaway data dir: the schema needs no database (as pwa/scripts/gen_api.py does it).
        return create_app(Settings(environment="test", data_dir=Path(data_dir), pwa_dir=None)).openapi()


schema = schemathesis.openapi.from_dict(_schema())

# Longer than any column (the longest text input is an abstract, 10,000 characters).
HOSTILE = [
    *("\x00", "Ada\x00Lovelace", "x\x00"),
    *("\x1b[31mred", "line\nbreak", "\x7f\x85"),
    *("a" * 301, "a" * 2049, "a" * 10_001),
]
HOSTILE_HEADERS = ["a" * 301, "a" * 2049]


def _string_paths(value, path=()):
    """The paths to the strings of a JSON value."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _string_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_paths(item, (*path, index))


def _replaced(value, path, new):
    if not path:
        return new
    value = copy.copy(value)
    value[path[0]] = _replaced(value[path[0]], path[1:], new)
    return value


def _with_hostile_strings(case, targets, value):
    for where, path in targets:
        if where == "body":
            case.body = _replaced(case.body, path, value)
        else:
            container = dict(getattr(case, where))
            container[path[0]] = value
            setattr(case, where, container)
    return case


def _some(targets):
    """One or more of `targets`: a hostile string in a field looked up first (a join code, say) shows too."""
    return st.lists(st.sampled_from(targets), min_size=1, max_size=len(targets), unique=True)


@schema.hook
def flatmap_case(context, case):
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return st.just(case)
    targets = [("body", path) for path in _string_paths(case.body)] if isinstance(case.body, dict | list) else []
    for where in ("query", "path_parameters"):
        targets += [(where, (name,)) for name, value in (getattr(case, where) or {}).items() if isinstance(value, str)]
    # Not the token: the request would be refused before it reaches anything.
    headers = [("headers", (name,)) for name in case.headers or {} if name.lower() != "authorization"]
    hostile = []
    if targets:
        hostile.append(st.tuples(_some(targets), st.sampled_from(HOSTILE)))
    if headers:
        hostile.append(st.tuples(_some(headers), st.sampled_from(HOSTILE_HEADERS)))
    if not hostile:
        return st.just(case)
    # Hostile first: hypothesis draws the first branch of one_of more often than the others.
    return st.one_of(st.one_of(hostile).map(lambda choice: _with_hostile_strings(case, *choice)), st.just(case))


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
    if operation_id in SELF | OWN | MEMBER | EVENT_OBJECT:
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
