"""Requests Slack would never send get a 400 or 401 and one log line, never a 500.

Each is sent over real HTTP to the real WSGI app, signed like Slack's unless the point is the
signature itself, so it reaches as deep into the app as a forged or broken request could.
"""

from __future__ import annotations

import json
import logging
import os
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the web edge logged about refused requests."""
    return [r for r in caplog.records if r.name == "bot.web"]


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records that carry a traceback: a request crashed somewhere."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.exc_info]


def test_a_timestamp_that_is_not_a_number_gets_401(
    slack: SlackSender, caplog: pytest.LogCaptureFixture
) -> None:
    body = slack.command_body("help", user_id="UALICE")

    reply = slack.post(body, FORM, timestamp="soon")

    assert reply.status == 401
    assert len(refusals(caplog)) == 1
    assert tracebacks(caplog) == []


def test_a_missing_signature_gets_401(slack: SlackSender) -> None:
    reply = slack.post(slack.command_body("help", user_id="UALICE"), FORM, signature="nothing")

    assert reply.status == 401


def test_a_form_body_labelled_json_gets_400(slack: SlackSender, caplog: pytest.LogCaptureFixture) -> None:
    reply = slack.post(slack.command_body("help", user_id="UALICE"), JSON)

    assert reply.status == 400
    assert len(refusals(caplog)) == 1
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    "payload",
    [
        '{"type": "block_actions", "actions": [{"action_id"',
        "[1, 2, 3]",
        '"block_actions"',
        "42",
        "null",
        "not json at all",
    ],
    ids=["truncated", "list", "string", "number", "null", "text"],
)
def test_a_payload_that_is_not_a_json_object_gets_400(
    slack: SlackSender, caplog: pytest.LogCaptureFixture, payload: str
) -> None:
    reply = slack.post(urlencode({"payload": payload}), FORM)

    assert reply.status == 400
    assert len(refusals(caplog)) == 1
    assert tracebacks(caplog) == []


@pytest.mark.parametrize("body", ["[]", '["event_callback"]', "null", "3", '"text"'])
def test_a_json_body_that_is_not_an_object_gets_400(
    slack: SlackSender, caplog: pytest.LogCaptureFixture, body: str
) -> None:
    reply = slack.post(body, JSON)

    assert reply.status == 400
    assert len(refusals(caplog)) == 1
    assert tracebacks(caplog) == []


def test_a_body_that_is_not_utf8_gets_400(slack: SlackSender, caplog: pytest.LogCaptureFixture) -> None:
    reply = slack.post(b"command=%2Fmentor&text=\xff\xfe\xc3", FORM, signature="v0=" + "0" * 64)

    assert reply.status == 400
    assert len(refusals(caplog)) == 1
    assert tracebacks(caplog) == []


def test_a_click_on_a_button_with_its_text_object_gets_through(
    slack: SlackSender, caplog: pytest.LogCaptureFixture
) -> None:
    payload = json.loads(json.dumps(_REAL_PAYLOADS[0]))
    payload["actions"][0]["action_id"] = "nobody_listens_for_this"

    reply = slack.interaction(payload)

    assert reply.status == 404  # Bolt's own answer: the request got through to its routing
    assert refusals(caplog) == []


def test_a_well_formed_command_still_gets_through(
    slack: SlackSender, caplog: pytest.LogCaptureFixture
) -> None:
    reply = slack.slash("help")

    assert reply.status == 200
    assert refusals(caplog) == []


# -- odd shapes: none of them may get a 5xx ----------------------------------------------------------

ODD_BODIES: list[tuple[str, str | bytes]] = [
    (FORM, ""),
    (JSON, ""),
    (JSON, "{}"),
    (FORM, "payload="),
    (FORM, "payload=%7B%7D"),
    (FORM, "payload=" + quote('{"type": "block_actions"}')),
    (FORM, "payload=" + quote('{"type": "block_actions", "actions": "x", "user": "x", "team": "x"}')),
    (FORM, "payload=" + quote('{"type": "block_actions", "actions": [null], "user": {"id": 5}}')),
    (FORM, "payload=" + quote('{"type": "view_submission", "view": []}')),
    (FORM, "payload=" + quote('{"type": "view_submission", "view": {"callback_id": 7, "state": "x"}}')),
    (FORM, "payload=" + quote('{"type": 5, "team": {"id": ["T"]}}')),
    (FORM, "payload=" + quote('{"type": "shortcut", "callback_id": "x"}')),
    (FORM, "payload=%7B%22type%22%3A" + "%5B" * 5000),
    (FORM, "payload=" + quote(json.dumps({"type": "block_actions", "actions": [{"action_id": {"a": 1}}]}))),
    (FORM, "command=%2Fmentor"),
    (FORM, "command=%2Fmentor&text=goals&user_id=&team_id="),
    (FORM, "command=%2Fnot-ours&text=help"),
    (FORM, "command=%2Fmentor&command=%2Fmentor&text=help&text=join"),
    (FORM, "ssl_check=1"),
    (FORM, "%%%%"),
    (FORM, "=&=&&"),
    (JSON, '{"type": "url_verification"}'),
    (JSON, '{"type": "url_verification", "challenge": ["x"]}'),
    (JSON, '{"type": "event_callback"}'),
    (JSON, '{"type": "event_callback", "event": "app_home_opened"}'),
    (JSON, '{"type": "event_callback", "event": {"type": "app_home_opened"}}'),
    (JSON, '{"type": "event_callback", "event": {"type": "app_home_opened", "user": 5, "tab": []}}'),
    (JSON, '{"type": "event_callback", "event": {"type": "message", "channel_type": "im"}}'),
    (JSON, '{"type": "event_callback", "event": {"type": "user_change", "user": "U1"}}'),
    (JSON, '{"type": "event_callback", "event": {"type": "user_change", "user": {"id": null}}}'),
    (JSON, '{"type": "event_callback", "authorizations": "x", "event": {}}'),
    (JSON, '{"type": "event_callback", "authorizations": [], "enterprise": 5}'),
    (JSON, '{"team_id": 5, "api_app_id": [], "enterprise_id": {}}'),
    (JSON, '{"a": ' * 3000 + "1" + "}" * 3000),
    (JSON, '{"type": "event_callback", "event": {"type": "app_home_opened", "user": "U\\u0000"}}'),
    ("text/plain", "hello"),
    ("multipart/form-data; boundary=x", "--x\r\n\r\n--x--"),
    (FORM, b"payload=\xff"),
    (JSON, b'{"type": "\xc3\x28"}'),
]


@pytest.mark.parametrize(("content_type", "body"), ODD_BODIES)
def test_odd_shapes_never_get_a_server_error(
    slack: SlackSender, caplog: pytest.LogCaptureFixture, content_type: str, body: str | bytes
) -> None:
    signature = "v0=" + "0" * 64 if isinstance(body, bytes) else None

    reply = slack.post(body, content_type, signature=signature)

    assert reply.status < 500, reply.body
    assert reply.status in (200, 400, 401, 404)


def _json_values() -> st.SearchStrategy[object]:
    leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
        max_leaves=20,
    )


_SLACK_KEYS = ("type", "team", "user", "actions", "view", "event", "command", "text", "trigger_id")


def _slackish_objects() -> st.SearchStrategy[dict]:
    return st.dictionaries(st.sampled_from(_SLACK_KEYS) | st.text(max_size=8), _json_values(), max_size=6)


_REAL_PAYLOADS: list[dict] = [
    {
        "type": "block_actions",
        "team": {"id": "T0MENTOR"},
        "user": {"id": "UALICE", "team_id": "T0MENTOR"},
        "trigger_id": "1.1.trigger",
        "container": {"type": "view", "view_id": "V1"},
        "view": {"id": "V1", "type": "home", "private_metadata": ""},
        "actions": [
            {
                "action_id": "home_profile",
                "block_id": "b",
                "value": "1",
                "type": "button",
                "text": {"type": "plain_text", "text": "Edit profile", "emoji": True},
            }
        ],
    },
    {
        "type": "view_submission",
        "team": {"id": "T0MENTOR"},
        "user": {"id": "UALICE", "team_id": "T0MENTOR"},
        "trigger_id": "1.1.trigger",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "goal_modal",
            "private_metadata": "1",
            "state": {"values": {"goal_specific": {"value": {"type": "plain_text_input", "value": "x"}}}},
        },
    },
    {
        "type": "event_callback",
        "team_id": "T0MENTOR",
        "event_id": "Ev1",
        "event": {"type": "app_home_opened", "user": "UALICE", "channel": "D1", "tab": "home"},
        "authorizations": [{"team_id": "T0MENTOR", "user_id": "UMENTORBOT", "is_bot": True}],
    },
]


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    """Every key path inside `value`, so a mutation can land anywhere in a real payload."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


@st.composite
def _mutated_payloads(draw: st.DrawFn) -> str:
    payload = json.loads(json.dumps(draw(st.sampled_from(_REAL_PAYLOADS))))
    path = draw(st.sampled_from(_paths(payload)))
    parent = payload
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = draw(_json_values())
    if payload.get("type") == "event_callback":
        return json.dumps(payload)
    return urlencode({"payload": json.dumps(payload)})


def _content_type_of(body: str) -> str:
    return FORM if body.startswith("payload=") else JSON


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    shape=st.one_of(
        st.tuples(st.just(JSON), _json_values().map(json.dumps)),
        st.tuples(st.just(JSON), _slackish_objects().map(json.dumps)),
        _mutated_payloads().map(lambda body: (_content_type_of(body), body)),
        _mutated_payloads().map(lambda body: (_content_type_of(body), body)),
        st.tuples(st.just(FORM), _slackish_objects().map(lambda o: urlencode({"payload": json.dumps(o)}))),
        st.tuples(st.just(FORM), st.dictionaries(st.text(max_size=10), st.text(max_size=20)).map(urlencode)),
        st.tuples(st.sampled_from([FORM, JSON, "text/plain", ""]), st.text(max_size=200)),
    ),
    signed=st.booleans(),
)
def test_generated_shapes_never_get_a_server_error(
    slack: SlackSender, fake_slack: FakeSlack, shape: tuple[str, str], signed: bool
) -> None:
    content_type, body = shape

    reply = slack.post(body, content_type, signature=None if signed else "v0=" + "1" * 64)

    assert reply.status < 500, f"{content_type} {body!r} got {reply.status}: {reply.body}"
