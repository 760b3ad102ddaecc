"""Dates of the synthetic history, all drawn relative to the reference day."""

import datetime
import random
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    """A day from `first` to `last` inclusive; `first` when the span is empty."""
    if last <= first:
        return first
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A time of day in France (the registry's time zone)."""
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)
