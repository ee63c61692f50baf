"""Every Slack identifier mentorbot owns: the slash command, callback, block and action ids.

Views, handlers and tests import these names, so a renamed id cannot leave a listener deaf.
"""

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

# Program settings modal
CONFIG_MODAL = "config_modal"
CONFIG_NAME = "config_name"
CONFIG_CHANNEL = "config_channel"
CONFIG_SKILLS = "config_skills"
CONFIG_CADENCE = "config_cadence"
CONFIG_ADMINS = "config_admins"
CONFIG_PULSE = "config_pulse"
CONFIG_EXPORT_FREE_TEXT = "config_export_free_text"

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

# Admin insights
INSIGHTS_OPEN = "insights_open"  # the Refresh button of the admin health section
INSIGHTS_NUDGE = "insights_nudge"
