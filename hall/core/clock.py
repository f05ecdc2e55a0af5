"""Local days and opening hours of a centre: pure functions of a timestamp and a timezone."""
from datetime import datetime, timedelta, time as dtime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@lru_cache(maxsize=64)
def zone(name):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"unknown timezone {name!r}") from e


def local(at, tz):
    return datetime.fromtimestamp(at, zone(tz))


def day_bounds(at, tz):
    """(ISO date, first second, first second of the next day) of the local day holding `at`."""
    z = zone(tz)
    d = datetime.fromtimestamp(at, z).date()
    start = datetime.combine(d, dtime(0), z).timestamp()
    end = datetime.combine(d + timedelta(days=1), dtime(0), z).timestamp()
    return d.isoformat(), start, end


def iso(at, tz):
    return None if at is None else local(at, tz).isoformat(timespec="seconds")


def _minutes(text):
    hh, mm = text.strip().split(":")
    h, m = int(hh), int(mm)
    if not (0 <= h <= 24 and 0 <= m < 60) or h * 60 + m > 24 * 60:
        raise ValueError(f"bad time {text!r}")
    return h * 60 + m


def _days(key):
    key = key.strip().lower()
    if "-" in key:
        a, b = key.split("-", 1)
        if a not in WEEKDAYS or b not in WEEKDAYS:
            raise ValueError(f"bad day range {key!r}")
        i, j = WEEKDAYS.index(a), WEEKDAYS.index(b)
        if j < i:
            raise ValueError(f"bad day range {key!r}")
        return range(i, j + 1)
    if key not in WEEKDAYS:
        raise ValueError(f"bad day {key!r}")
    return [WEEKDAYS.index(key)]


def parse_hours(spec):
    """{"mon-fri": ["08:30-12:00", ...]} → 7 tuples of (start, end) minutes; None = always open."""
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ValueError("hours must be a mapping of days to time ranges")
    week = [[] for _ in WEEKDAYS]
    for key, ranges in spec.items():
        if not isinstance(ranges, list):
            raise ValueError(f"hours[{key}] must be a list of 'HH:MM-HH:MM'")
        for r in ranges:
            a, b = parse_range(r)
            for d in _days(str(key)):
                week[d].append((a, b))
    return tuple(tuple(sorted(day)) for day in week)


def _minute_of(at, tz):
    t = local(at, tz)
    return t.weekday(), t.hour * 60 + t.minute + t.second / 60


def is_open(hours, at, tz):
    if hours is None:
        return True
    wd, minute = _minute_of(at, tz)
    return any(a <= minute < b for a, b in hours[wd])


def closes_at(hours, at, tz):
    """Seconds since the epoch when the current opening period ends; None if always open or closed now."""
    if hours is None:
        return None
    wd, minute = _minute_of(at, tz)
    for a, b in hours[wd]:
        if a <= minute < b:
            # contiguous periods ("08:30-12:00", "12:00-17:30") are one stretch for a citizen
            end = b
            for a2, b2 in hours[wd]:
                if a2 == end:
                    end = b2
            return at + (end - minute) * 60
    return None


def at_local(day, minute, tz):
    """Seconds since the epoch of `minute` minutes after local midnight of ISO date `day`."""
    d = datetime.strptime(day, "%Y-%m-%d").date()
    return datetime.combine(d, dtime(0), zone(tz)).timestamp() + minute * 60


def parse_range(text):
    """'09:00-10:30' → (540, 630) minutes; ValueError when malformed."""
    if not isinstance(text, str) or text.count("-") != 1:
        raise ValueError(f"bad time range {text!r}")
    a, b = (_minutes(x) for x in text.split("-"))
    if b <= a:
        raise ValueError(f"time range {text!r} ends before it starts")
    return a, b
