"""Every button and modal mentorbot renders has a listener: a deaf one would leave Slack waiting.

Bolt answers 404 to an interaction nothing listens for; here each id is clicked or submitted with
a value that matches nothing, and the app must still take it (and say no politely).

The ids come from the code, not from a list kept by hand: every `action_id=` and `callback_id=`
the views render (read from bot/views/ with `ast`), checked against every id the handlers register
with `app.action(...)` or `app.view(...)`. A new button without a listener, or a listener for a
button nothing renders any more, fails here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

import bot.views
import handlers
from bot import ids
from bot.app import ListenerPool
from tests.conftest import LISTENER_DEADLINE
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender

VIEWS = Path(bot.views.__file__).parent
HANDLERS = Path(handlers.__file__).parent

# A modal with no submit button: it is only read, so nothing can be submitted to listen for.
READ_ONLY_MODALS = {"LIST_MODAL", "MEETING_QUESTIONS_MODAL", "MEETING_HISTORY_MODAL", "BROWSE_MODAL"}
# Composite action ids are an id from bot/ids.py plus a suffix the view picks at run time, written
# by a codec in bot/ids.py; every one of them the listener must hear.
COMPOSITE_EXAMPLES = {
    "CHECKIN_MET": [ids.encode_checkin_met_action(answer) for answer in ids.CHECKIN_MET_ANSWERS],
    "PROGRESS_OPEN": [ids.encode_progress_open(12)],
    "ACTION_DONE": [ids.encode_action_done(12)],
    "FIT_ANSWER": [ids.encode_fit_answer(answer) for answer in ids.FIT_ANSWERS],
    "DRIFT_ANSWER": [ids.encode_drift_answer(choice) for choice in ids.DRIFT_ANSWERS],
    "PULSE_SCORE": [ids.encode_pulse_score(score) for score in ids.PULSE_SCORES],
}


def _encoders() -> dict[str, set[str]]:
    """{codec name: the ids it builds on} for every `encode_*` function in bot/ids.py."""
    module = ast.parse(Path(ids.__file__).read_text())
    return {
        node.name: {
            inner.id
            for inner in ast.walk(node)
            if isinstance(inner, ast.Name) and isinstance(getattr(ids, inner.id, None), str)
        }
        for node in module.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("encode_")
    }


ENCODERS = _encoders()


def _modules(folder: Path) -> list[ast.Module]:
    return [ast.parse(path.read_text(), str(path)) for path in sorted(folder.glob("*.py"))]


def _aliases(modules: Iterable[ast.Module]) -> dict[str, set[str]]:
    """Module-level names bound to something built from ids (NUDGE_PAIR = ids.INSIGHTS_NUDGE, MET = ...)."""
    found: dict[str, set[str]] = {}
    for module in modules:
        for statement in module.body:
            if isinstance(statement, ast.Assign) and (named := _ids_in(statement.value, {})):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, set()).update(named)
    return found


def _ids_in(node: ast.AST, aliases: dict[str, set[str]]) -> set[str]:
    """Names of `ids.NAME` string constants used anywhere inside `node`, through aliases too."""
    found: set[str] = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name) and inner.value.id == "ids":
            if isinstance(getattr(ids, inner.attr, None), str):
                found.add(inner.attr)
            found |= ENCODERS.get(inner.attr, set())
        elif isinstance(inner, ast.Name) and inner.id in aliases:
            found |= aliases[inner.id]
    return found


def _is_bare_id(node: ast.AST, aliases: dict[str, set[str]]) -> bool:
    """True when `node` is exactly one id (`ids.X`, or an alias of one), not an id plus a suffix."""
    if isinstance(node, ast.Attribute):
        return isinstance(getattr(ids, node.attr, None), str)
    return isinstance(node, ast.Name) and node.id in aliases and len(aliases[node.id]) == 1


def rendered() -> dict[str, dict[str, bool]]:
    """{"action_id" | "callback_id": {id name: ever rendered with a suffix}} for what the views render."""
    modules = _modules(VIEWS)
    aliases = _aliases(modules)
    found: dict[str, dict[str, bool]] = {"action_id": {}, "callback_id": {}}
    for module in modules:
        for node in ast.walk(module):
            if isinstance(node, ast.keyword) and node.arg in found:
                named = _ids_in(node.value, aliases)
                assert named, f"{ast.unparse(node)} renders an id that is not from bot/ids.py"
                composite = not _is_bare_id(node.value, aliases)
                for name in named - {"VALUE"}:
                    found[node.arg][name] = found[node.arg].get(name, False) or composite
    return found


def listened() -> dict[str, set[str]]:
    """{"action" | "view": id names} that handlers register listeners for."""
    modules = _modules(HANDLERS)
    aliases = _aliases([*_modules(VIEWS), *modules])
    found: dict[str, set[str]] = {"action": set(), "view": set()}
    for module in modules:
        for node in ast.walk(module):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "app"
                and node.func.attr in found
            ):
                for argument in node.args:
                    found[node.func.attr] |= _ids_in(argument, aliases)
    return found


RENDERED = rendered()
LISTENED = listened()


def _plain_actions() -> list[str]:
    """Action ids the views render as they are, without a suffix."""
    plain: set[str] = set()
    modules = _modules(VIEWS)
    aliases = _aliases(modules)
    for module in modules:
        for node in ast.walk(module):
            if isinstance(node, ast.keyword) and node.arg == "action_id" and _is_bare_id(node.value, aliases):
                plain |= _ids_in(node.value, aliases) - {"VALUE"}
    return sorted(getattr(ids, name) for name in plain)


BUTTONS = _plain_actions() + [example for examples in COMPOSITE_EXAMPLES.values() for example in examples]
MODALS = sorted(getattr(ids, name) for name in set(RENDERED["callback_id"]) - READ_ONLY_MODALS)


def test_the_ids_rendered_and_the_ids_listened_for_are_the_same() -> None:
    assert set(RENDERED["action_id"]) == LISTENED["action"]
    assert set(RENDERED["callback_id"]) - READ_ONLY_MODALS == LISTENED["view"]


def test_every_composite_action_id_has_examples() -> None:
    composite = {name for name, is_composite in RENDERED["action_id"].items() if is_composite}

    assert composite == set(COMPOSITE_EXAMPLES)


def test_the_lists_are_not_empty_so_these_checks_can_fail() -> None:
    assert ids.HOME_PROFILE in BUTTONS
    assert f"{ids.CHECKIN_MET}_yes" in BUTTONS
    assert ids.GOAL_MODAL in MODALS
    assert ids.VALUE not in BUTTONS


def listener_errors(caplog: pytest.LogCaptureFixture, listeners: ListenerPool) -> list[str]:
    """Failures the app-wide error handler logged, once every listener has finished its work."""
    assert listeners.wait_idle(LISTENER_DEADLINE), "listeners still running"
    return [r.getMessage() for r in caplog.records if r.name == "handlers.errors"]


@pytest.mark.parametrize("action_id", BUTTONS)
def test_every_button_has_a_listener_that_copes_with_nonsense(
    slack: SlackSender, caplog: pytest.LogCaptureFixture, listeners: ListenerPool, action_id: str
) -> None:
    reply = slack.click(action_id, "999999", user_id="UNOBODY", view={"type": "home", "private_metadata": ""})

    assert reply.status == 200, f"{action_id} is not listened for"
    assert listener_errors(caplog, listeners) == []


@pytest.mark.parametrize("callback_id", MODALS)
def test_every_modal_has_a_listener_that_copes_with_nonsense(
    slack: SlackSender, caplog: pytest.LogCaptureFixture, listeners: ListenerPool, callback_id: str
) -> None:
    reply = slack.submit({"callback_id": callback_id, "private_metadata": "999999"}, {}, user_id="UNOBODY")

    assert reply.status == 200, f"{callback_id} is not listened for"
    assert listener_errors(caplog, listeners) == []


def test_an_unknown_button_gets_bolts_404_so_these_checks_can_fail(slack: SlackSender) -> None:
    reply = slack.click("nobody_listens_for_this", "1", user_id="UNOBODY", view={"type": "home"})

    assert reply.status == 404


def test_a_listener_that_fails_is_logged_so_these_checks_can_fail(
    slack: SlackSender, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture, listeners: ListenerPool
) -> None:
    fake_slack.fail_next("users.info", status=500)

    slack.click(ids.HOME_PROFILE, "", user_id="UNOBODY", view={"type": "home"})

    assert listener_errors(caplog, listeners)
