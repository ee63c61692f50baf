"""A person's time zone, their local day, and their daytime: the one place mentorbot reads zones.

A zone is an IANA name as Slack or the person gave it; an unknown or missing one reads as UTC,
so a bad value on record never stops a message or a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_STARTS = time(8, 0)
DAY_ENDS = time(20, 0)  # nothing unprompted reaches a person outside 08:00-20:00 their time
UTC = ZoneInfo("UTC")


def is_valid_zone(name: str | None) -> bool:
    """True for an IANA time zone name such as Europe/Berlin."""
    if not name or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, TypeError, OSError):  # OSError: a folder such as "Europe"
        return False
    return True


def zone(tz: str | None) -> ZoneInfo:
    """The zone named `tz`; UTC when it is missing or not a zone zoneinfo knows."""
    return ZoneInfo(tz) if tz and is_valid_zone(tz) else UTC


def local_time(now: datetime, tz: str | None) -> datetime:
    """The instant `now` on the person's wall clock."""
    return now.astimezone(zone(tz))


def local_today(tz: str | None, now: datetime) -> date:
    """Today's date where the person is (UTC when their zone is unknown)."""
    return local_time(now, tz).date()


def is_daytime(instant: datetime, tz: str | None) -> bool:
    """Whether `instant` is between 08:00 and 20:00 for a person in `tz`."""
    return DAY_STARTS <= local_time(instant, tz).time() < DAY_ENDS


def sendable_at(instant: datetime, zones: Sequence[str | None]) -> datetime:
    """The first moment at or after `instant` that is 08:00-20:00 for every recipient.

    With no recipients (a channel) that is `instant`. When the recipients' days never overlap,
    the first recipient's day counts (the mentee's for a check-in, whose cadence it follows).
    """
    candidates = [instant]
    for tz in zones:
        place = zone(tz)
        local = instant.astimezone(place)
        for days in range(3):
            morning = datetime.combine(local.date() + timedelta(days=days), DAY_STARTS, tzinfo=place)
            if morning > instant:
                candidates.append(morning.astimezone(instant.tzinfo))
    for candidate in sorted(candidates):
        if all(is_daytime(candidate, tz) for tz in zones):
            return candidate
    return sendable_at(instant, zones[:1]) if len(zones) > 1 else instant
