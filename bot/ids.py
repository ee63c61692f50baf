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

# Leaving
LEAVE_MODAL = "leave_modal"

# Program settings modal
CONFIG_MODAL = "config_modal"
CONFIG_NAME = "config_name"
CONFIG_CHANNEL = "config_channel"
CONFIG_SKILLS = "config_skills"
CONFIG_CADENCE = "config_cadence"
CONFIG_ADMINS = "config_admins"

# Matching review modal
MATCH_MODAL = "match_modal"
MATCH_KEEP = "match_keep"  # block ids are MATCH_KEEP + "_" + page number

# App Home
HOME_PROFILE = "home_profile"

# Pair lifecycle buttons (App Home) and feedback
PAIR_PAUSE = "pair_pause"
PAIR_RESUME = "pair_resume"
PAIR_END = "pair_end"
END_MODAL = "end_modal"
FEEDBACK_OPEN = "feedback_open"
FEEDBACK_MODAL = "feedback_modal"
FEEDBACK_RATING = "feedback_rating"
FEEDBACK_COMMENT = "feedback_comment"

# Admin lists
LIST_MODAL = "list_modal"
LIST_NEXT = "list_next"
LIST_PREVIOUS = "list_previous"
