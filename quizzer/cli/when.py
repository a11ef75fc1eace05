"""Times as a learner reads them: relative ("in 9 minutes", 「9分後」), dates in their own time zone."""

from __future__ import annotations

from datetime import datetime, timezone

from quizzer.i18n.labels import label


def relative(when: datetime, lang: str, *, now: datetime | None = None) -> str:
    """``when`` (aware, or naive UTC as the store keeps it) relative to now, with the local date when a day or more away."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    seconds = (when - now).total_seconds()
    if seconds < 60:
        return label("in-moments", lang)
    minutes = round(seconds / 60)
    if minutes < 60:
        return label("in-minute", lang) if minutes == 1 else label("in-minutes", lang, n=minutes)
    hours = round(seconds / 3600)
    if hours < 24:
        return label("in-hour", lang) if hours == 1 else label("in-hours", lang, n=hours)
    local = when.astimezone()  # the learner's time zone, not UTC
    date = f"{local:%Y-%m-%d %H:%M}"
    days = round(seconds / 86400)
    return label("in-day", lang, date=date) if days == 1 else label("in-days", lang, n=days, date=date)
