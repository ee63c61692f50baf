"""Every Slack identifier mentorbot owns: the slash command, callback, block and action ids.

Views, handlers and tests import these names, so a renamed id cannot leave a listener deaf.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

COMMAND = "/mentor"

# The action_id of the single element inside every input block.
VALUE = "value"

# Sign-up and profile modal
JOIN_MODAL = "join_modal"
JOIN_PROGRAM = "join_program"
JOIN_ROLE = "join_role"
JOIN_SKILLS = "join_skills"
JOIN_SKILLS_OTHER = "join_skills_other"
JOIN_GROWTH = "join_growth"
JOIN_GROWTH_OTHER = "join_growth_other"
JOIN_EXPERIENCE = "join_experience"
JOIN_MOTIVATIONS = "join_motivations"
JOIN_BACKGROUND = "join_background"
JOIN_FORMATS = "join_formats"
JOIN_CAPACITY = "join_capacity"
JOIN_TZ = "join_tz"
JOIN_EXCLUDE = "join_exclude"

# Program settings modal
CONFIG_MODAL = "config_modal"
CONFIG_NAME = "config_name"
CONFIG_CHANNEL = "config_channel"
CONFIG_SKILLS = "config_skills"
CONFIG_CADENCE = "config_cadence"
CONFIG_ADMINS = "config_admins"
CONFIG_PULSE = "config_pulse"
CONFIG_EXPORT_FREE_TEXT = "config_export_free_text"
CONFIG_PAIRING = "config_pairing"
CONFIG_REQUEST_DAYS = "config_request_days"

# Matching review modal
MATCH_MODAL = "match_modal"
MATCH_KEEP = "match_keep"  # block ids are MATCH_KEEP + "_" + page number

# App Home
HOME_PROFILE = "home_profile"

# Pair lifecycle buttons (App Home) and feedback
PAIR_PAUSE = "pair_pause"
PAIR_RESUME = "pair_resume"
PAIR_END = "pair_end"
FEEDBACK_OPEN = "feedback_open"
FEEDBACK_MODAL = "feedback_modal"
FEEDBACK_RATING = "feedback_rating"
FEEDBACK_COMMENT = "feedback_comment"

# Admin lists
LIST_MODAL = "list_modal"
LIST_NEXT = "list_next"
LIST_PREVIOUS = "list_previous"

# Agreement modal (how a pair meets)
AGREEMENT_OPEN = "agreement_open"
AGREEMENT_MODAL = "agreement_modal"
AGREE_FREQUENCY = "agree_frequency"
AGREE_WEEKDAY = "agree_weekday"
AGREE_TIME = "agree_time"
AGREE_TZ = "agree_tz"
AGREE_FORMAT = "agree_format"
AGREE_LOCATION = "agree_location"
AGREE_START = "agree_start"
AGREE_EXPECTATIONS = "agree_expectations"
AGREE_PREP = "agree_prep"
AGREE_REMINDER = "agree_reminder"

# SMART goal modal
GOAL_NEW = "goal_new"
GOAL_MODAL = "goal_modal"
GOAL_SPECIFIC = "goal_specific"
GOAL_MEASURE_KIND = "goal_measure_kind"
GOAL_TARGET = "goal_target"
GOAL_UNIT = "goal_unit"
GOAL_MILESTONES = "goal_milestones"
GOAL_ATTAINABLE = "goal_attainable"
GOAL_REALISTIC = "goal_realistic"
GOAL_DEADLINE = "goal_deadline"
GOAL_START = "goal_start"
# The coaching view a vague-sounding goal gets before it is saved
GOAL_COACH_MODAL = "goal_coach_modal"
GOAL_COACH_EDIT = "goal_coach_edit"

# Goal progress, closing and mentor feedback
PROGRESS_OPEN = "progress_open"
PROGRESS_MODAL = "progress_modal"
PROGRESS_VALUE = "progress_value"
PROGRESS_MILESTONES = "progress_milestones"
PROGRESS_NOTE = "progress_note"
GOAL_EDIT_OPEN = "goal_edit_open"
GOAL_CLOSE_OPEN = "goal_close_open"
GOAL_CLOSE_MODAL = "goal_close_modal"
GOAL_CLOSE_OUTCOME = "goal_close_outcome"
GOAL_CLOSE_NOTE = "goal_close_note"
GOAL_FEEDBACK_OPEN = "goal_feedback_open"
GOAL_FEEDBACK_MODAL = "goal_feedback_modal"
GOAL_FEEDBACK_TEXT = "goal_feedback_text"

# Check-ins and goal reminders
CHECKIN_MET = "checkin_met"  # value: "<checkin id>:<yes|not_yet|rescheduled>"
CHECKIN_ANSWER_OPEN = "checkin_answer_open"
CHECKIN_ANSWER_MODAL = "checkin_answer_modal"
CHECKIN_LEARNED = "checkin_learned"
CHECKIN_BLOCKER = "checkin_blocker"
REMINDER_ACHIEVED = "reminder_achieved"
REMINDER_EXTEND = "reminder_extend"
REMINDER_DROP = "reminder_drop"
EXTEND_MODAL = "extend_modal"
EXTEND_DEADLINE = "extend_deadline"

# The meeting loop: preparing, the agenda, skipping or moving a meeting, notes and action items
MEETING_PREP_OPEN = "meeting_prep_open"  # value: check-in id
MEETING_PREP_MODAL = "meeting_prep_modal"  # private_metadata: check-in id
PREP_TOPICS = "prep_topics"
PREP_QUESTIONS = "prep_questions"
PREP_WENT_WELL = "prep_went_well"
PREP_HARD = "prep_hard"
MEETING_SKIP = "meeting_skip"  # value: check-in id
MEETING_MOVE_OPEN = "meeting_move_open"  # value: check-in id
MEETING_MOVE_MODAL = "meeting_move_modal"  # private_metadata: check-in id
MOVE_DATE = "move_date"
MOVE_TIME = "move_time"
MEETING_NOTES_OPEN = "meeting_notes_open"  # value: check-in id
MEETING_NOTES_MODAL = "meeting_notes_modal"  # private_metadata: check-in id
NOTES_SHARED = "notes_shared"
NOTES_PRIVATE = "notes_private"
ACTION_TEXT = "action_text"  # block ids are ACTION_TEXT + "_" + row, as are ACTION_OWNER and ACTION_DUE
ACTION_OWNER = "action_owner"
ACTION_DUE = "action_due"
ACTION_ROWS = 3
ACTION_DONE = "action_done"  # action ids are ACTION_DONE + "_" + item id (unique in a block); value: item id
MEETING_QUESTIONS_OPEN = "meeting_questions_open"  # value: check-in id
MEETING_QUESTIONS_MODAL = "meeting_questions_modal"
MEETING_HISTORY_OPEN = "meeting_history_open"  # value: pair id
MEETING_HISTORY_MODAL = "meeting_history_modal"

# Connections, fit checks, drift and pulses (program health)
CONNECT_MODAL = "connect_modal"
CONNECT_PERSON = "connect_person"
CONNECT_REASON = "connect_reason"
CONNECT_QUESTION = "connect_question"
CONNECT_WHO = "connect_who"
HOME_CONNECT = "home_connect"
FIT_ANSWER = "fit_answer"  # action ids are FIT_ANSWER + "_" + answer; value: pair id
DRIFT_ANSWER = "drift_answer"  # action ids are DRIFT_ANSWER + "_" + keep|pause|end; value: pair id
PULSE_SCORE = "pulse_score"  # action ids are PULSE_SCORE + "_" + 1..5; value: pulse id
REPAIR = "repair"  # value: pair id
FORGET_MODAL = "forget_modal"

# The block that shows a person's answer where a message's buttons were
ANSWERED = "answered"

# Admin insights
INSIGHTS_OPEN = "insights_open"  # the Refresh button of the admin health section
INSIGHTS_NUDGE = "insights_nudge"

# Mentees choose: browsing mentors, asking one, and the answers
HOME_FIND_MENTOR = "home_find_mentor"  # value: program id
BROWSE_MODAL = "browse_modal"  # private_metadata: encode_browse_metadata
BROWSE_SKILL = "browse_skill"  # a select: the skill to filter by
BROWSE_PAGE = "browse_page"  # value: page number
BROWSE_ASK = "browse_ask"  # value: the mentor's person id
ASK_MODAL = "ask_modal"  # private_metadata: "<program id>:<mentor person id>"
ASK_NOTE = "ask_note"
REQUEST_ACCEPT = "request_accept"  # value: request id
REQUEST_DECLINE = "request_decline"  # value: request id
REQUEST_TALK = "request_talk"  # value: request id
REQUEST_APPROVE = "request_approve"  # value: request id
REQUEST_WITHDRAW = "request_withdraw"  # value: request id
DECLINE_MODAL = "decline_modal"  # private_metadata: request id
DECLINE_REASON = "decline_reason"
ANY_SKILL = "any"  # the skill filter's "any skill" option

# Cohorts: the cohort form, sign-up, the start, the midpoint, graduation and the end
COHORT_MODAL = "cohort_modal"  # private_metadata: encode_cohort_metadata
COHORT_NEW = "cohort_new"  # value: program id
COHORT_EDIT = "cohort_edit"  # value: cohort id
COHORT_NAME = "cohort_name"
COHORT_SIGNUP_OPENS = "cohort_signup_opens"
COHORT_SIGNUP_CLOSES = "cohort_signup_closes"
COHORT_STARTS = "cohort_starts"
COHORT_ENDS = "cohort_ends"
COHORT_GRADUATION_DAYS = "cohort_graduation_days"
COHORT_AUTO_MATCH = "cohort_auto_match"
COHORT_JOIN = "cohort_join"  # value: cohort id
COHORT_MATCH = "cohort_match"  # value: cohort id
MIDPOINT_OPEN = "midpoint_open"  # value: pair id
MIDPOINT_MODAL = "midpoint_modal"  # private_metadata: encode_pair_message
MIDPOINT_RATING = "midpoint_rating"
MIDPOINT_ON_TRACK = "midpoint_on_track"
MIDPOINT_NOTE = "midpoint_note"
GRADUATION_GOALS_OPEN = "graduation_goals_open"  # value: pair id
GRADUATION_GOALS_MODAL = "graduation_goals_modal"  # private_metadata: encode_pair_message
GOAL_RATING = "goal_rating"  # block ids are GOAL_RATING + "_" + goal id
CLOSING_OPEN = "closing_open"  # value: pair id
CLOSING_MODAL = "closing_modal"  # private_metadata: encode_pair_message
CLOSING_RATING = "closing_rating"
CLOSING_CHANGED = "closing_changed"
CLOSING_RECOMMEND = "closing_recommend"
AFTER_KEEP = "after_keep"  # value: pair id
AFTER_CLOSE = "after_close"  # value: pair id


# -- Codecs: every composite action_id, button value and private_metadata is written by one
# encode_* and read by one decode_* here. Decoders never raise: a forged or stale payload
# decodes to None, and the listener answers calmly.

_NUMBER = re.compile(r"[0-9]{1,18}")
_USER = re.compile(r"[UW][A-Z0-9]{1,30}")
CHECKIN_MET_ANSWERS = ("yes", "not_yet", "rescheduled")
FIT_ANSWERS = ("good", "deciding", "not_fit")
DRIFT_ANSWERS = ("keep", "pause", "end")
PULSE_SCORES = (1, 2, 3, 4, 5)


def encode_number(number: int) -> str:
    """A row id (pair, goal, check-in, program, page) as a button value or private_metadata."""
    return str(number)


def decode_number(raw: str | None) -> int | None:
    """The row id `encode_number` wrote; None for anything else."""
    return int(raw) if raw and _NUMBER.fullmatch(raw) else None


def _suffix(action_id: str | None, prefix: str, allowed: tuple[str, ...]) -> str | None:
    suffix = (action_id or "").removeprefix(f"{prefix}_")
    return suffix if suffix != action_id and suffix in allowed else None


def encode_checkin_met_action(answer: str) -> str:
    """The action id of a check-in's "did you meet" button."""
    return f"{CHECKIN_MET}_{answer}"


def decode_checkin_met_action(action_id: str | None) -> str | None:
    """The answer in a "did you meet" button's action id."""
    return _suffix(action_id, CHECKIN_MET, CHECKIN_MET_ANSWERS)


def encode_checkin_met(checkin_id: int, answer: str) -> str:
    """The value of a "did you meet" button: which check-in, which answer."""
    return f"{checkin_id}:{answer}"


def decode_checkin_met(raw: str | None) -> tuple[int, str] | None:
    """(check-in id, answer) from a "did you meet" button's value."""
    checkin, _, answer = (raw or "").partition(":")
    number = decode_number(checkin)
    return (number, answer) if number is not None and answer in CHECKIN_MET_ANSWERS else None


def encode_fit_answer(answer: str) -> str:
    """The action id of a fit question's button; its value is the pair id."""
    return f"{FIT_ANSWER}_{answer}"


def decode_fit_answer(action_id: str | None) -> str | None:
    """The answer in a fit button's action id."""
    return _suffix(action_id, FIT_ANSWER, FIT_ANSWERS)


def encode_drift_answer(choice: str) -> str:
    """The action id of a drift question's button; its value is the pair id."""
    return f"{DRIFT_ANSWER}_{choice}"


def decode_drift_answer(action_id: str | None) -> str | None:
    """The choice in a drift button's action id."""
    return _suffix(action_id, DRIFT_ANSWER, DRIFT_ANSWERS)


def encode_pulse_score(score: int) -> str:
    """The action id of a pulse button; its value is the pulse id."""
    return f"{PULSE_SCORE}_{score}"


def decode_pulse_score(action_id: str | None) -> int | None:
    """The score in a pulse button's action id."""
    score = _suffix(action_id, PULSE_SCORE, tuple(str(s) for s in PULSE_SCORES))
    return int(score) if score else None


def encode_progress_open(goal_id: int) -> str:
    """The action id of a check-in's per-goal Update button (unique per message); value: goal id."""
    return f"{PROGRESS_OPEN}_{goal_id}"


def encode_match_keep(page: int) -> str:
    """The block id of one page of the match review's checkboxes."""
    return f"{MATCH_KEEP}_{page}"


def decode_match_keep(block_id: str | None) -> int | None:
    """The page of a match review block id; None for other blocks."""
    page = (block_id or "").removeprefix(f"{MATCH_KEEP}_")
    return decode_number(page) if page != block_id else None


def encode_match_metadata(run_id: int, shown: list[int]) -> str:
    """The match review's private_metadata: the matching run and the proposals it showed."""
    return json.dumps({"run": run_id, "shown": shown})


def decode_match_metadata(raw: str | None) -> tuple[int, tuple[int, ...]] | None:
    """(run id, shown proposal ids) from the match review's private_metadata."""
    try:
        meta = json.loads(raw or "")
    except ValueError:
        return None
    if not isinstance(meta, dict):
        return None
    run, shown = meta.get("run"), meta.get("shown")
    if type(run) is not int or not isinstance(shown, list) or any(type(s) is not int for s in shown):
        return None
    return run, tuple(shown)


@dataclass(frozen=True)
class GoalModalTarget:
    """What a goal modal saves: a new goal on a pair, or changes to an existing goal."""

    pair_id: int | None = None
    goal_id: int | None = None


def encode_goal_metadata(target: GoalModalTarget) -> str:
    """The goal modal's private_metadata: "<pair id>" for a new goal, "edit:<goal id>" to change one."""
    return f"edit:{target.goal_id}" if target.goal_id is not None else str(target.pair_id)


def decode_goal_metadata(raw: str | None) -> GoalModalTarget | None:
    """The goal modal's target from its private_metadata."""
    raw = raw or ""
    if raw.startswith("edit:"):
        goal_id = decode_number(raw.removeprefix("edit:"))
        return GoalModalTarget(goal_id=goal_id) if goal_id is not None else None
    pair_id = decode_number(raw)
    return GoalModalTarget(pair_id=pair_id) if pair_id is not None else None


@dataclass(frozen=True)
class ConnectModalTarget:
    """The introduction modal's pair, and the person to introduce when already named."""

    pair_id: int
    person_user_id: str | None = None


def encode_connect_metadata(target: ConnectModalTarget) -> str:
    """The introduction modal's private_metadata: "<pair id>:<person user id or nothing>"."""
    return f"{target.pair_id}:{target.person_user_id or ''}"


def decode_connect_metadata(raw: str | None) -> ConnectModalTarget | None:
    """The introduction modal's pair and person from its private_metadata."""
    pair, _, person = (raw or "").partition(":")
    pair_id = decode_number(pair)
    if pair_id is None or (person and not _USER.fullmatch(person)):
        return None
    return ConnectModalTarget(pair_id, person or None)


@dataclass(frozen=True)
class AgreementModalTarget:
    """The agreement modal's pair, and the start date already saved (which may stay though past)."""

    pair_id: int
    saved_start: date | None = None


def encode_agreement_metadata(target: AgreementModalTarget) -> str:
    """The agreement modal's private_metadata: "<pair id>" or "<pair id>:<saved start YYYY-MM-DD>"."""
    start = f":{target.saved_start.isoformat()}" if target.saved_start else ""
    return f"{target.pair_id}{start}"


def decode_agreement_metadata(raw: str | None) -> AgreementModalTarget | None:
    """The agreement modal's pair and saved start date from its private_metadata."""
    pair, _, start = (raw or "").partition(":")
    pair_id = decode_number(pair)
    if pair_id is None:
        return None
    if not start:
        return AgreementModalTarget(pair_id)
    try:
        return AgreementModalTarget(pair_id, date.fromisoformat(start))
    except ValueError:
        return None


# Re-pairing: the mentee decides about goals left on an ended pair (value: the new pair's id)
GOALS_BRING = "goals_bring"
GOALS_CLOSE = "goals_close"

# `/mentor end` asks first (value: pair id)
END_CONFIRM = "end_confirm"
END_KEEP = "end_keep"


def encode_action_row(block: str, row: int) -> str:
    """The block id of one action item row's field in the meeting notes modal."""
    return f"{block}_{row}"


def decode_action_row(block_id: str | None, block: str) -> int | None:
    """The row `encode_action_row` wrote for this field; None for anything else."""
    row = (block_id or "").removeprefix(f"{block}_")
    return int(row) if row != block_id and row.isdigit() and int(row) < ACTION_ROWS else None


def encode_action_done(item_id: int) -> str:
    """The action id of an action item's Done button: Slack wants ids unique within a block."""
    return f"{ACTION_DONE}_{item_id}"


def decode_action_done(action_id: str | None) -> int | None:
    """The action item `encode_action_done` wrote; None for anything else."""
    return decode_number(
        (action_id or "").removeprefix(f"{ACTION_DONE}_") if action_id != ACTION_DONE else None
    )


def encode_notes_metadata(checkin_id: int, version: int) -> str:
    """The notes form's private_metadata: its meeting, and the notes' version it opened with."""
    return f"{checkin_id}:{version}"


def decode_notes_metadata(raw: str | None) -> tuple[int, int] | None:
    """The (meeting, version) `encode_notes_metadata` wrote; None for anything else."""
    checkin, _, version = (raw or "").partition(":")
    number, seen = decode_number(checkin), decode_number(version)
    return (number, seen) if number is not None and seen is not None else None


def encode_cohort_metadata(program_id: int, cohort_id: int | None) -> str:
    """The cohort form's private_metadata: its program, and the cohort it edits ("new" for none)."""
    return f"{program_id}:{cohort_id if cohort_id is not None else 'new'}"


def decode_cohort_metadata(raw: str | None) -> tuple[int, int | None] | None:
    """The (program, cohort or None) `encode_cohort_metadata` wrote; None for anything else."""
    program, _, cohort = (raw or "").partition(":")
    program_id = decode_number(program)
    if program_id is None:
        return None
    if cohort == "new":
        return program_id, None
    cohort_id = decode_number(cohort)
    return (program_id, cohort_id) if cohort_id is not None else None


_CHANNEL = re.compile(r"[CDGUW][A-Z0-9]{1,30}")  # a DM can be addressed by its user id
_TS = re.compile(r"[0-9]{1,12}\.[0-9]{1,8}")


def encode_pair_message(pair_id: int, channel: str | None, ts: str | None) -> str:
    """A modal's private_metadata: its pair, and the message it was opened from (to update in place)."""
    return f"{pair_id}:{channel or ''}:{ts or ''}"


def decode_pair_message(raw: str | None) -> tuple[int, str | None, str | None] | None:
    """The (pair, channel, ts) `encode_pair_message` wrote; None for anything else."""
    pair, _, rest = (raw or "").partition(":")
    channel, _, ts = rest.partition(":")
    pair_id = decode_number(pair)
    if pair_id is None or (channel and not _CHANNEL.fullmatch(channel)) or (ts and not _TS.fullmatch(ts)):
        return None
    if bool(channel) != bool(ts):
        return None
    return pair_id, channel or None, ts or None


def encode_goal_rating(goal_id: int) -> str:
    """The block id of one goal's re-rating in the graduation form."""
    return f"{GOAL_RATING}_{goal_id}"


def decode_goal_rating(block_id: str | None) -> int | None:
    """The goal `encode_goal_rating` wrote; None for anything else."""
    return decode_number(
        (block_id or "").removeprefix(f"{GOAL_RATING}_") if block_id != GOAL_RATING else None
    )


JOINING = "join"  # the sign-up form's intent: join the program's cohort open for sign-up


def encode_join_metadata(program_id: int, cohort: int | str | None = None) -> str:
    """The sign-up form's private_metadata: its program, and a cohort to join (an id, JOINING, or none)."""
    return f"{program_id}:{cohort}" if cohort is not None else str(program_id)


def decode_join_metadata(raw: str | None) -> tuple[int, int | str | None] | None:
    """The (program, cohort id or JOINING or None) `encode_join_metadata` wrote; None for anything else."""
    program, _, cohort = (raw or "").partition(":")
    program_id = decode_number(program)
    if program_id is None:
        return None
    if not cohort:
        return program_id, None
    if cohort == JOINING:
        return program_id, JOINING
    cohort_id = decode_number(cohort)
    return (program_id, cohort_id) if cohort_id is not None else None


def encode_browse_metadata(program_id: int, skill: str | None) -> str:
    """The browsing modal's private_metadata: its program, and the skill it is filtered by."""
    return f"{program_id}:{skill or ''}"


def decode_browse_metadata(raw: str | None) -> tuple[int, str | None] | None:
    """The (program, skill or None) `encode_browse_metadata` wrote; None for anything else."""
    program, _, skill = (raw or "").partition(":")
    program_id = decode_number(program)
    return (program_id, skill or None) if program_id is not None else None


def encode_ask_metadata(program_id: int, mentor_id: int) -> str:
    """The request form's private_metadata: the program, and the mentor asked."""
    return f"{program_id}:{mentor_id}"


def decode_ask_metadata(raw: str | None) -> tuple[int, int] | None:
    """The (program, mentor) `encode_ask_metadata` wrote; None for anything else."""
    program, _, mentor = (raw or "").partition(":")
    program_id, mentor_id = decode_number(program), decode_number(mentor)
    return (program_id, mentor_id) if program_id is not None and mentor_id is not None else None


def encode_request_message(request_id: int, channel: str | None, ts: str | None) -> str:
    """A request form's private_metadata: the request, and the message it was opened from."""
    return encode_pair_message(request_id, channel, ts)


def decode_request_message(raw: str | None) -> tuple[int, str | None, str | None] | None:
    """The (request, channel, ts) `encode_request_message` wrote; None for anything else."""
    return decode_pair_message(raw)
