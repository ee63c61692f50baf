"""Every composite id, button value and private_metadata reads back what was written, and nothing else."""

from __future__ import annotations

from datetime import date

import pytest

from bot import ids
from bot.health import FIT_ANSWERS
from bot.inputs import ActionInput, MessageAt, Submission
from bot.views.checkins import MET_LABELS
from bot.views.health import DRIFT_CHOICES

FORGED = ["", "x", "-1", "1.5", "\uff11", "²", "1:2:3", "edit:", "edit:x", ":", "{}", "[]", "null", "9" * 40]


@pytest.mark.parametrize("number", [0, 1, 42, 10**17])
def test_a_row_id_round_trips(number: int) -> None:
    assert ids.decode_number(ids.encode_number(number)) == number


@pytest.mark.parametrize("raw", [*FORGED, None])
def test_a_forged_row_id_decodes_to_nothing(raw: str | None) -> None:
    assert ids.decode_number(raw) is None


def test_answers_in_action_ids_are_the_ones_the_views_offer() -> None:
    assert set(ids.CHECKIN_MET_ANSWERS) == set(MET_LABELS)
    assert set(ids.FIT_ANSWERS) == set(FIT_ANSWERS)
    assert set(ids.DRIFT_ANSWERS) == set(DRIFT_CHOICES)


@pytest.mark.parametrize("answer", ids.CHECKIN_MET_ANSWERS)
def test_checkin_buttons_round_trip(answer: str) -> None:
    assert ids.decode_checkin_met_action(ids.encode_checkin_met_action(answer)) == answer
    assert ids.decode_checkin_met(ids.encode_checkin_met(7, answer)) == (7, answer)


def test_health_buttons_round_trip() -> None:
    for answer in ids.FIT_ANSWERS:
        assert ids.decode_fit_answer(ids.encode_fit_answer(answer)) == answer
    for choice in ids.DRIFT_ANSWERS:
        assert ids.decode_drift_answer(ids.encode_drift_answer(choice)) == choice
    for score in ids.PULSE_SCORES:
        assert ids.decode_pulse_score(ids.encode_pulse_score(score)) == score


@pytest.mark.parametrize(
    "raw", [*FORGED, None, "7:maybe", "x:yes", f"{ids.FIT_ANSWER}_", f"{ids.PULSE_SCORE}_6"]
)
def test_forged_button_ids_and_values_decode_to_nothing(raw: str | None) -> None:
    assert ids.decode_checkin_met(raw) is None
    assert ids.decode_checkin_met_action(raw) is None
    assert ids.decode_fit_answer(raw) is None
    assert ids.decode_drift_answer(raw) is None
    assert ids.decode_pulse_score(raw) is None
    assert ids.decode_match_keep(raw) is None
    assert ids.decode_match_metadata(raw) is None
    assert ids.decode_connect_metadata(raw) is None


def test_match_review_ids_round_trip() -> None:
    assert ids.decode_match_keep(ids.encode_match_keep(3)) == 3
    assert ids.decode_match_metadata(ids.encode_match_metadata(5, [1, 2, 9])) == (5, (1, 2, 9))
    assert ids.decode_match_metadata('{"run": "5", "shown": [1]}') is None
    assert ids.decode_match_metadata('{"run": 5, "shown": [true]}') is None


@pytest.mark.parametrize("target", [ids.GoalModalTarget(pair_id=3), ids.GoalModalTarget(goal_id=8)])
def test_goal_modal_metadata_round_trips(target: ids.GoalModalTarget) -> None:
    assert ids.decode_goal_metadata(ids.encode_goal_metadata(target)) == target


@pytest.mark.parametrize(
    "target",
    [ids.ConnectModalTarget(4, "UMAX"), ids.ConnectModalTarget(4, None), ids.ConnectModalTarget(4, "W1")],
)
def test_introduction_modal_metadata_round_trips(target: ids.ConnectModalTarget) -> None:
    assert ids.decode_connect_metadata(ids.encode_connect_metadata(target)) == target


@pytest.mark.parametrize("raw", ["4:UMAX:UTOM", "4:<!channel>", "x:UMAX"])
def test_forged_introduction_metadata_decodes_to_nothing(raw: str) -> None:
    assert ids.decode_connect_metadata(raw) is None


@pytest.mark.parametrize(
    "body", [{}, {"actions": "x", "user": [], "team": 3, "view": "v"}, {"actions": [None]}]
)
def test_typed_inputs_from_broken_payloads_are_empty_not_errors(body: dict) -> None:
    assert ActionInput.from_body(body).user_id == ""
    assert Submission.from_body(body).values == {}


def test_a_click_in_a_message_and_a_submission_read_what_listeners_need() -> None:
    click = ActionInput.from_body(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "U1", "team_id": "T1"},
            "trigger_id": "t",
            "actions": [{"action_id": "a", "value": "7"}],
            "container": {"type": "message", "message_ts": "1.1", "channel_id": "D1"},
            "channel": {"id": "D1"},
        }
    )
    assert (click.team_id, click.user_id, click.action_id, click.value) == ("T1", "U1", "a", "7")
    assert (click.channel_id, click.message_ts, click.view_id) == ("D1", "1.1", "")
    assert click.message == MessageAt("D1", "1.1")
    assert (click.message_blocks, click.message_text, click.is_ephemeral) == ((), "", False)
    on_home = ActionInput.from_body({"container": {"type": "view", "view_id": "V1"}, "view": {"id": "V1"}})
    assert on_home.message is None
    sent = Submission.from_body(
        {
            "type": "view_submission",
            "user": {"id": "U1", "team_id": "T1"},
            "view": {
                "id": "V1",
                "callback_id": "c",
                "private_metadata": "3",
                "state": {"values": {"b": {"value": {"type": "plain_text_input", "value": " hi "}}}},
            },
        }
    )
    assert (sent.team_id, sent.user_id, sent.callback_id, sent.private_metadata) == ("T1", "U1", "c", "3")
    assert sent.state.text("b") == "hi"


@pytest.mark.parametrize(
    "target", [ids.AgreementModalTarget(2), ids.AgreementModalTarget(2, date(2026, 10, 5))]
)
def test_agreement_modal_metadata_round_trips(target: ids.AgreementModalTarget) -> None:
    assert ids.decode_agreement_metadata(ids.encode_agreement_metadata(target)) == target


@pytest.mark.parametrize("raw", ["", "x", "2:tomorrow", "2:2026-13-01", ":2026-10-05"])
def test_forged_agreement_metadata_decodes_to_nothing(raw: str) -> None:
    assert ids.decode_agreement_metadata(raw) is None
