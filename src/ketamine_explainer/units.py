"""Units of time and how times read in words. Times are in days throughout (the onset data's unit)."""

from __future__ import annotations

HOUR = 1 / 24
WEEK = 7.0
MINUTE = 1 / 1440


def format_days(days: float) -> str:
    """A time since the first dose in words: '110 minutes', '4 hours', '1 day', '2 weeks'."""
    if days < HOUR * 2:
        value, unit = days * 1440, "minute"
    elif days < 1:
        value, unit = days * 24, "hour"
    elif days < 14 and not (days >= WEEK and days % WEEK == 0):
        value, unit = days, "day"
    else:
        value, unit = days / WEEK, "week"
    value = round(value, 1)
    text = f"{value:g}"
    return f"{text} {unit}" + ("" if value == 1 else "s")


def format_minutes(minutes: float) -> str:
    """A time in minutes in words: '40 minutes', '4 hours'."""
    return format_days(minutes * MINUTE)


def short_days(days: float) -> str:
    """The short form used in tight chart labels: '1 d', '3 wk'."""
    text = format_days(days)
    for long, short in ((" weeks", " wk"), (" week", " wk"), (" days", " d"), (" day", " d")):
        text = text.replace(long, short)
    return text
