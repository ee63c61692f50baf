"""Every Slack identifier mentorbot owns: the slash command, callback, block and action ids.

Views, handlers and tests import these names, so a renamed id cannot leave a listener deaf.
"""

COMMAND = "/mentor"
