"""The one error handler: log with the traceback and tell the person something went wrong."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltResponse

from bot.deps import Deps

log = logging.getLogger(__name__)

SORRY = (
    "Sorry, something went wrong on my side and nothing was changed. "
    "Please try again in a minute; if it keeps happening, tell your mentorship program's admins."
)


def register(app: App, deps: Deps) -> None:
    """Install the app-wide error handler."""

    @app.error
    def on_error(error: Exception, body: dict, respond) -> BoltResponse | None:
        log.error("listener failed on %s", body.get("type") or body.get("command"), exc_info=error)
        if body.get("response_url"):
            try:
                respond(text=SORRY, response_type="ephemeral", replace_original=False)
            except Exception:  # the apology is best effort; the failure is already logged
                log.warning("could not tell the user about the failure", exc_info=True)
        return None
