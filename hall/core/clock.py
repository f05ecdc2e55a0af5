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


class Hours(tuple):
    """A week of opening hours (7 tuples of (start, end) minutes, Monday first) and the dates that
    break the week: `closed` (ISO date → why: a public holiday's name, "" for the centre's own),
    `open` (ISO dates worked with the working-day hours: 调休 make-up days, the centre's own),
    `years` ((first, last) covered by the official calendar; None without one). The working-day
    hours are those of the first of Monday–Friday that has any: a make-up Saturday stands in for a
    weekday, not for a Saturday."""

    def __new__(cls, week, closed=None, open_=None, years=None):
        self = super().__new__(cls, week)
        self.closed, self.open = dict(closed or {}), frozenset(open_ or ())
        self.years = tuple(years) if years else None
        self.workday = next((day for day in week[:5] if day), ())
        return self

    def on(self, day):
        """The (start, end) minutes open on the date `day`."""
        iso = day.isoformat()
        if iso in self.closed:
            return ()
        if iso in self.open:
            return self.workday or self[day.weekday()]
        return self[day.weekday()]


def parse_hours(spec, calendar=None):
    """{"mon-fri": ["08:30-12:00", ...]} → an `Hours` (7 tuples of (start, end) minutes, and the
    dates of `calendar` — {"closed": {date: why}, "open": [date], "years": [first, last]} — that
    break the week); None = always open."""
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
    calendar = calendar or {}
    return Hours(tuple(tuple(sorted(day)) for day in week), calendar.get("closed"), calendar.get("open"),
                 calendar.get("years"))


def _minute_of(at, tz):
    t = local(at, tz)
    return t.date(), t.hour * 60 + t.minute + t.second / 60


def day_hours(hours, day):
    """The (start, end) minutes a centre opens on the date `day` (its week, holidays, make-up days)."""
    return hours.on(day) if isinstance(hours, Hours) else hours[day.weekday()]


def is_open(hours, at, tz):
    if hours is None:
        return True
    day, minute = _minute_of(at, tz)
    return any(a <= minute < b for a, b in day_hours(hours, day))


def closes_at(hours, at, tz):
    """Seconds since the epoch when the current opening period ends; None if always open or closed now."""
    if hours is None:
        return None
    day, minute = _minute_of(at, tz)
    ranges = day_hours(hours, day)
    for a, b in ranges:
        if a <= minute < b:
            # contiguous periods ("08:30-12:00", "12:00-17:30") are one stretch for a citizen
            end = b
            for a2, b2 in ranges:
                if a2 == end:
                    end = b2
            return at + (end - minute) * 60
    return None


def uncovered_years(hours, first, last):
    """The years of the dates first..last (dates) that a centre following the official calendar needs
    and its table does not hold: on their days it follows its weekly hours only, holidays unknown."""
    years = getattr(hours, "years", None)
    if not years:
        return []
    return [y for y in range(first.year, last.year + 1) if not years[0] <= y <= years[1]]


def closed_day(hours, at, tz):
    """Why a centre does not open at all on the local day of `at`: {"holiday": 国庆节 …, "" for the
    centre's own closed date, None for its weekly day off}; None when it opens that day (or always)."""
    if hours is None:
        return None
    day = local(at, tz).date()
    if day_hours(hours, day):
        return None
    return {"holiday": getattr(hours, "closed", {}).get(day.isoformat())}


def next_opening(hours, at, tz, within_days=62):
    """Seconds since the epoch when the centre next opens after `at` (None: open now, always open, or
    not within `within_days`)."""
    if hours is None or is_open(hours, at, tz):
        return None
    day, minute = _minute_of(at, tz)
    for ahead in range(within_days + 1):
        d = day + timedelta(days=ahead)
        for a, _ in sorted(day_hours(hours, d)):
            if ahead or a > minute:
                return at_local(d.isoformat(), a, tz)
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
