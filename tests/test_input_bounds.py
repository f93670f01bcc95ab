"""Ids no row can have (zero, negative, past the databases' INTEGER) are refused as bad input on every route
and in bodies, never handed to the database: SQLite cannot bind an int past 64 bits, PostgreSQL's integer
stops at 2**31 - 1, and either failure used to be a 500 (found by tests/test_fuzz.py)."""

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from api.agenda.models import AgendaBreak, Talk
from api.attendees.models import Attendee
from api.contacts.models import Contact, ContactRequest
from api.core.config import Settings
from api.events.models import Event, Topic, Zone
from api.main import create_app
from api.organizers.models import Organizer
from api.push.models import HallwayMoment, PushSubscription
from api.rendezvous.models import Rendezvous
from api.safety.models import Report
from tests import factories
from tests.test_access import EVENT_OBJECT, MEMBER, OWN, PUBLIC, SELF, build_world, operations

IMPOSSIBLE_IDS = [0, -1, 2**31, 2**70]


def test_impossible_ids_in_any_path_are_refused_with_422(srv):
    world = build_world(srv)
    owner = world["owner"]["tokens"]["access_token"]
    checked = 0
    failures = []
    for method, path, operation_id in operations(srv):
        names = re.findall(r"\{(\w+)\}", path)
        if not names:
            continue
        for bad in IMPOSSIBLE_IDS:
            for name in names:
                ids = world["ids"] | {name: bad}
                url = re.sub(r"\{(\w+)\}", lambda m, ids=ids: str(ids[m.group(1)]), path)
                # The rightful caller.
                token = owner if operation_id in SELF | OWN | MEMBER | EVENT_OBJECT else world["org_a"]
                with srv.client(token) as client:
                    response = client.request(method, url, headers={"Idempotency-Key": factories.new_key()})
                checked += 1
                if response.status_code != 422 or response.json()["error"] != "InvalidInput":
                    failures.append(f"{method} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert checked > 100


def test_impossible_ids_in_bodies_are_refused_with_422(srv):
    world = build_world(srv)
    owner = world["owner"]["tokens"]["access_token"]
    event = world["ids"]["event_id"]
    when = {"starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T10:30:00Z"}
    for bad in IMPOSSIBLE_IDS:
        calls = [
            (owner, "/api/contact-requests", {"to_attendee_id": bad}),
            (owner, "/api/me/blocks", {"attendee_id": bad}),
            (owner, "/api/me/reports", {"attendee_id": bad, "reason": "other"}),
            (world["org_a"], f"/api/events/{event}/zones", {"name": "Hall", "kind": "lounge", "neighbour_ids": [bad]}),
            (world["org_a"], f"/api/events/{event}/talks", {"title": "T", "topic_ids": [bad]} | when),
            (world["org_a"], f"/api/events/{event}/talks", {"title": "T", "speaker_ids": [bad]} | when),
        ]
        for token, url, body in calls:
            with srv.client(token) as client:
                response = client.post(url, json=body, headers={"Idempotency-Key": factories.new_key()})
            assert response.status_code == 422, f"{url} {body}: {response.status_code} {response.text}"
            assert response.json()["error"] == "InvalidInput"


# Text input -------------------------------------------------------------------------------------
# One rule for every string a request carries (api/core/schemas.py): no control characters (PostgreSQL refuses
# NUL in text: a 500, where SQLite stored it and wrote it into other people's vCards), line breaks and tabs only
# in multi-line text, and a max_length no longer than the column the value is stored in.

# Every string field of every request body: the column it is stored in, or why it has none. A new field fails
# test_every_text_input_is_bounded_within_its_column until it is listed here.
COLUMNS = {
    "JoinRequest.join_code": Event.join_code,
    "JoinRequest.display_name": Attendee.display_name,
    "JoinRequest.email": Attendee.email,
    "ProfileUpdate.display_name": Attendee.display_name,
    "ProfileUpdate.headline": Attendee.headline,
    "ProfileUpdate.company": Attendee.company,
    "ProfileUpdate.ask_me_about": Attendee.ask_me_about,
    "ProfileUpdate.find_me_hint": Attendee.find_me_hint,
    "ProfileUpdate.interests[]": Topic.name,
    "ProfileUpdate.email": Attendee.email,
    "ProfileUpdate.phone": Attendee.phone,
    "ProfileUpdate.website_url": Attendee.website_url,
    "OrganizerLinkRequest.email": Organizer.email,
    "AttendeeLinkRequest.email": Attendee.email,
    "AttendeeLinkRequest.event_slug": Event.slug,
    "ContactRequestCreate.message": ContactRequest.message,
    "ContactUpdate.note": Contact.note,
    "EventCreate.name": Event.name,
    "EventCreate.slug": Event.slug,
    "EventCreate.subject": Event.subject,
    "EventCreate.description": Event.description,
    "EventCreate.timezone": Event.timezone,
    "EventCreate.currency": Event.currency,
    "EventUpdate.name": Event.name,
    "EventUpdate.subject": Event.subject,
    "EventUpdate.description": Event.description,
    "EventUpdate.timezone": Event.timezone,
    "EventUpdate.currency": Event.currency,
    "ZoneCreate.name": Zone.name,
    "ZoneUpdate.name": Zone.name,
    "TopicCreate.name": Topic.name,
    "TopicUpdate.name": Topic.name,
    "ZoneCreate.name_fr": Zone.name_fr,
    "ZoneCreate.name_en": Zone.name_en,
    "ZoneUpdate.name_fr": Zone.name_fr,
    "ZoneUpdate.name_en": Zone.name_en,
    "TopicCreate.name_fr": Topic.name_fr,
    "TopicCreate.name_en": Topic.name_en,
    "TopicUpdate.name_fr": Topic.name_fr,
    "TopicUpdate.name_en": Topic.name_en,
    "TalkCreate.title": Talk.title,
    "TalkCreate.abstract": Talk.abstract,
    "TalkCreate.room": Talk.room,
    "TalkUpdate.title": Talk.title,
    "TalkUpdate.abstract": Talk.abstract,
    "TalkUpdate.room": Talk.room,
    "BreakCreate.label": AgendaBreak.label,
    "BreakUpdate.label": AgendaBreak.label,
    "SubscriptionCreate.endpoint": PushSubscription.endpoint,
    "SubscriptionKeys.p256dh": PushSubscription.p256dh,
    "SubscriptionKeys.auth": PushSubscription.auth,
    "HallwayMomentCreate.label": HallwayMoment.label,
    "ReportCreate.details": Report.details,
    "RendezvousCreate.message": Rendezvous.message,
    "CounterProposal.message": Rendezvous.message,
}
NOT_STORED = {
    "MagicLinkRedeem.token": "looked up by its hash",
    "RefreshRequest.refresh_token": "a signed token, verified",
    "ConnectScan.code": "looked up by its hash",
    "CheckIn.token": "the token is cut out of the scanned URL and must match [A-Za-z0-9_-]{16,64}",
    "CheckIn.code": "normalized to 3 to 8 letters or digits",
    "ContactUpdate.tags[]": "a JSON list",
    "TopicCreate.synonyms[]": "a JSON list",
    "TopicUpdate.synonyms[]": "a JSON list",
}
# Where a line break or a tab makes sense; everywhere else they are refused.
MULTILINE = {
    "ContactRequestCreate.message",
    "ContactUpdate.note",
    "EventCreate.description",
    "EventUpdate.description",
    "TalkCreate.abstract",
    "TalkUpdate.abstract",
    "ReportCreate.details",
}


def _openapi() -> dict:
    with tempfile.TemporaryDirectory() as data_dir:
        return create_app(Settings(environment="test", data_dir=Path(data_dir), pwa_dir=None)).openapi()


def _component(schema: dict, ref: str) -> tuple[str, dict]:
    name = ref.rsplit("/", 1)[1]
    return name, schema["components"]["schemas"][name]


def _is_text(spec: dict) -> bool:
    return spec.get("type") == "string" and "enum" not in spec and "date" not in spec.get("format", "")


def _is_time(spec: dict) -> bool:
    return spec.get("format") == "date-time"


def text_fields(schema: dict, ref: str, path: tuple = (), kind=_is_text) -> Iterator[tuple[str, tuple, dict]]:
    """Each string field of a request body (of `kind`: text, or dates and times): ("Model.field" or
    "Model.field[]" for a list's items, its path in the body, its schema). Enums are not text."""
    name, model = _component(schema, ref)
    for field, spec in model.get("properties", {}).items():
        for option in spec.get("anyOf", [spec]):
            if "$ref" in option:
                target = schema["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]
                if target.get("type") == "object":
                    yield from text_fields(schema, option["$ref"], (*path, field), kind)
            elif kind(option):
                yield f"{name}.{field}", (*path, field), option
            elif option.get("type") == "array" and kind(option["items"]):
                yield f"{name}.{field}[]", (*path, field, 0), option["items"]


def json_bodies(schema: dict) -> Iterator[tuple[str, str, str, str]]:
    """(method, path, operation id, body schema $ref) of every operation taking a JSON body of a model."""
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if "$ref" in body:
                yield method, path, operation["operationId"], body["$ref"]


def test_every_text_input_is_bounded_within_its_column():
    schema = _openapi()
    problems = []
    seen = set()
    for _, _, _, ref in json_bodies(schema):
        for name, _, spec in text_fields(schema, ref):
            seen.add(name)
            if name not in COLUMNS and name not in NOT_STORED:
                problems.append(f"{name}: not in COLUMNS nor NOT_STORED")
            if "maxLength" not in spec:
                problems.append(f"{name}: no maxLength")
            elif name in COLUMNS and COLUMNS[name].type.length is not None:
                if spec["maxLength"] > COLUMNS[name].type.length:
                    problems.append(f"{name}: maxLength {spec['maxLength']} > column {COLUMNS[name].type.length}")
    problems += [f"{name}: listed but not an input" for name in (COLUMNS.keys() | NOT_STORED.keys()) - seen]
    assert not problems, "\n".join(problems)


def _body(path: tuple, value) -> dict:
    """A body holding only `value`, at `path`: the field's own refusal must be in the answer, whatever else is."""
    body: Any = value
    for step in reversed(path):
        body = [body] if isinstance(step, int) else {step: body}
    return body


def _hostile(name: str, spec: dict) -> list[str]:
    """Values each text field must refuse (422 naming it), shaped like what the field expects otherwise."""
    column = COLUMNS.get(name)
    longest = column.type.length if column is not None and column.type.length else spec["maxLength"]
    if spec.get("format") == "email":
        return ["ada\x00@example.org", "ada\x1b@example.org"]
    if spec.get("format") == "uri":
        return ["https://example.org/\x00", "https://example.org/\x7f", "https://example.org/" + "a" * longest]
    values = ["Ada\x00Lovelace", "Ada\x1b[31mLovelace", "Ada\x85Lovelace", "a" * (longest + 1)]
    if name not in MULTILINE:
        values += ["Ada\nLovelace", "Ada\tLovelace"]
    return values


def _caller(operation_id: str, world: dict) -> str | None:
    if operation_id in PUBLIC:
        return None
    if operation_id in SELF | OWN | MEMBER | EVENT_OBJECT:
        return world["owner"]["tokens"]["access_token"]
    return world["org_a"]


def _named(response, loc: list) -> bool:
    return response.status_code == 422 and any(e["loc"] == loc for e in response.json()["detail"])


def test_control_characters_and_overlong_text_are_refused_naming_the_field(srv):
    world = build_world(srv)
    schema = _openapi()
    failures = []
    checked = 0
    for method, path, operation_id, ref in json_bodies(schema):
        url = re.sub(r"\{(\w+)\}", lambda m: str(world["ids"][m.group(1)]), path)
        with srv.client(_caller(operation_id, world)) as client:
            for name, where, spec in text_fields(schema, ref):
                for value in _hostile(name, spec):
                    response = client.request(
                        method, url, json=_body(where, value), headers={"Idempotency-Key": factories.new_key()}
                    )
                    checked += 1
                    if not _named(response, ["body", *where]):
                        failures.append(f"{operation_id} {name} {value[:30]!r}: {response.status_code} {response.text}")
                if name in MULTILINE:
                    # Line breaks and tabs are fine where text has lines.
                    response = client.request(
                        method, url, json=_body(where, "One\n\tTwo"), headers={"Idempotency-Key": factories.new_key()}
                    )
                    if _named(response, ["body", *where]):
                        failures.append(f"{operation_id} {name}: a line break refused: {response.text}")
    assert not failures, "\n".join(failures)
    assert checked > 200


def test_control_characters_in_query_parameters_are_refused_naming_them(srv):
    world = build_world(srv)
    schema = _openapi()
    failures = []
    checked = 0
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            url = re.sub(r"\{(\w+)\}", lambda m: str(world["ids"][m.group(1)]), path)
            for parameter in operation.get("parameters", []):
                options = parameter["schema"].get("anyOf", [parameter["schema"]])
                if parameter["in"] != "query" or not any(
                    o.get("type") == "string" and "enum" not in o for o in options
                ):
                    continue
                with srv.client(_caller(operation["operationId"], world)) as client:
                    for value in ["a\x00b", "a\nb", "a\x1bb"]:
                        response = client.request(
                            method,
                            url,
                            params={parameter["name"]: value},
                            headers={"Idempotency-Key": factories.new_key()},
                        )
                        checked += 1
                        if not _named(response, ["query", parameter["name"]]):
                            failures.append(f"{operation['operationId']} ?{parameter['name']}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert checked >= 9  # ?q=, ?tag= on three routes, ?endpoint=


def test_far_off_times_are_refused_naming_the_field(srv):
    """Year 1 at +14:00 has no UTC time, and 9999-12-31 plus a talk's duration no year: OverflowErrors, 500s."""
    world = build_world(srv)
    schema = _openapi()
    failures = []
    checked = 0
    for method, path, operation_id, ref in json_bodies(schema):
        url = re.sub(r"\{(\w+)\}", lambda m: str(world["ids"][m.group(1)]), path)
        with srv.client(_caller(operation_id, world)) as client:
            for name, where, _ in text_fields(schema, ref, kind=_is_time):
                for value in ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:00+00:00"]:
                    response = client.request(method, url, json=_body(where, value))
                    checked += 1
                    if not _named(response, ["body", *where]):
                        failures.append(f"{operation_id} {name} {value}: {response.status_code} {response.text}")
    assert not failures, "\n".join(failures)
    assert checked >= 16  # events, talks and breaks, created and updated
