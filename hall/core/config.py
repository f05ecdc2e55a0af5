"""A centre's catalogue entry: validated once, then trusted by the fold.

`normalize_center(raw)` turns a YAML/JSON mapping into a plain dict with every default filled
in (that dict is what the `center_configured` event carries); `CenterConfig.from_dict` reads it
back. Errors name the path of the offending field so that an operator can fix the file.
"""
import re
from dataclasses import dataclass
from datetime import date

from .clock import parse_hours, parse_range, zone

CATEGORIES = ("comprehensive", "public_security", "specialty")
MODES = ("ordered", "longest_wait")
LIFE_EVENTS = ("出生", "上学", "工作", "结婚", "退休", "其他")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
DEFAULT_SERVICE_S = 300
# A ticket whose print failed and whose number nobody confirmed on screen is voided this long after.
DEFAULT_UNCONFIRMED_VOID_S = 120
DEFAULT_ELDERLY_AGE = 70           # 绿色通道 by ID card from this age


class ConfigError(ValueError):
    pass


def _check_keys(raw, allowed, where):
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping")
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(map(str, unknown))}")


def _req(raw, key, where):
    if raw.get(key) in (None, ""):
        raise ConfigError(f"{where}: '{key}' is required")
    return raw[key]


def _id(value, where):
    if not isinstance(value, str) or not ID_RE.match(value):
        raise ConfigError(f"{where}: id {value!r} must match [a-z0-9-]+")
    return value


def _text(value, where, required=True):
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected text")
    return value.strip()


def _num(value, where, lo, hi, integer=False, default=None):
    if value is None:
        return default
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok or not (lo <= value <= hi):
        raise ConfigError(f"{where}: expected a {'whole ' if integer else ''}number in {lo}..{hi}")
    return value


def _texts(value, where):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a list of text")
    return [v.strip() for v in value]


QUEUE_KEYS = ("id", "prefix", "name", "name_en", "category", "daily_quota", "service_s", "service_sigma",
              "appointments", "norms", "id_card_required")
ITEM_KEYS = ("id", "name", "name_en", "queue", "department", "life_events", "materials", "weight")
WINDOW_KEYS = ("number", "name", "queues", "mode")
CENTER_KEYS = ("id", "name", "name_en", "address", "location", "timezone", "hours", "notice", "notice_en",
               "recall_limit", "tickets_per_day", "voice", "unconfirmed_void_s", "booking", "remote", "norms",
               "elderly_age", "queues", "items", "windows", "calendar", "closed_dates", "open_dates",
               "official_calendar", "rating_days")
CALENDARS = ("official", "none")


def _queue(raw, where):
    _check_keys(raw, QUEUE_KEYS, where)
    prefix = _req(raw, "prefix", where)
    if not isinstance(prefix, str) or not re.fullmatch(r"[A-Z]", prefix):
        raise ConfigError(f"{where}: prefix must be one capital letter")
    category = _req(raw, "category", where)
    if category not in CATEGORIES:
        raise ConfigError(f"{where}: category must be one of {', '.join(CATEGORIES)}")
    return {
        "id": _id(_req(raw, "id", where), where),
        "prefix": prefix,
        "name": _text(_req(raw, "name", where), where + ".name"),
        "name_en": _text(raw.get("name_en"), where + ".name_en", required=False),
        "category": category,
        "daily_quota": _num(raw.get("daily_quota"), where + ".daily_quota", 1, 100_000, integer=True),
        "service_s": _num(raw.get("service_s"), where + ".service_s", 1, 86_400, default=DEFAULT_SERVICE_S),
        "service_sigma": _num(raw.get("service_sigma"), where + ".service_sigma", 0, 5, default=0.6),
        **({"appointments": _appointments(raw["appointments"], where + ".appointments")}
           if raw.get("appointments") is not None else {}),
        **({"norms": _norms(raw["norms"], where + ".norms", QUEUE_NORMS)} if raw.get("norms") is not None else {}),
        **({"id_card_required": _flag(raw["id_card_required"], where + ".id_card_required")}
           if raw.get("id_card_required") is not None else {}),
    }


def _flag(value, where):
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false")
    return value


# 电子监察 norms (hall.core.supervision applies them): per queue, and centre-wide defaults
QUEUE_NORMS = {"max_wait_s": (1, 86_400), "max_service_s": (1, 86_400), "max_idle_s": (1, 86_400),
               "max_length": (1, 100_000)}
CENTER_NORMS = {**QUEUE_NORMS, "max_pause_s": (1, 86_400), "escalate_after_s": (1, 86_400),
                "followup_days": (1, 60)}


def _norms(raw, where, ranges):
    _check_keys(raw, ranges, where)
    return {k: _num(raw[k], f"{where}.{k}", lo, hi, integer=k in ("max_length", "followup_days"))
            for k, (lo, hi) in ranges.items() if raw.get(k) is not None}


def _appointments(raw, where):
    """Bookable slots of a queue: {"slots": ["09:00-10:00", ...], "capacity": per slot}."""
    _check_keys(raw, ("slots", "capacity"), where)
    slots = raw.get("slots")
    if not isinstance(slots, list) or not slots or len(set(map(str, slots))) != len(slots):
        raise ConfigError(f"{where}.slots: a non-empty list of 'HH:MM-HH:MM' without repeats")
    for slot in slots:
        try:
            parse_range(slot)
        except ValueError as e:
            raise ConfigError(f"{where}.slots: {e}") from None
    return {"slots": list(slots), "capacity": _num(raw.get("capacity"), where + ".capacity", 1, 10_000,
                                                   integer=True, default=1)}


BOOKING_DEFAULTS = {"days_ahead": 7, "early_s": 1800, "grace_s": 900, "max_missed": 3,
                    "missed_window_days": 30, "block_days": 30}
REMOTE_DEFAULTS = {"per_day": 3, "active_per_queue": 1, "max_km": None}


def _settings(raw, defaults, where, limits):
    _check_keys(raw, tuple(defaults), where)
    return {k: _num(raw.get(k), f"{where}.{k}", lo, hi, integer=isinstance(defaults[k], int), default=defaults[k])
            for k, (lo, hi) in limits.items()}


def _item(raw, where, queues):
    _check_keys(raw, ITEM_KEYS, where)
    queue = _req(raw, "queue", where)
    if queue not in queues:
        raise ConfigError(f"{where}: queue {queue!r} is not a queue of this centre")
    events = _texts(raw.get("life_events"), where + ".life_events") or ["其他"]
    bad = [e for e in events if e not in LIFE_EVENTS]
    if bad:
        raise ConfigError(f"{where}: life_events must be among {'、'.join(LIFE_EVENTS)}")
    return {
        "id": _id(_req(raw, "id", where), where),
        "name": _text(_req(raw, "name", where), where + ".name"),
        "name_en": _text(raw.get("name_en"), where + ".name_en", required=False),
        "queue": queue,
        "department": _text(raw.get("department"), where + ".department", required=False),
        "life_events": events,
        "materials": _texts(raw.get("materials"), where + ".materials"),
        "weight": _num(raw.get("weight"), where + ".weight", 0, 1_000_000, default=1),
    }


def _window(raw, where, queues):
    _check_keys(raw, WINDOW_KEYS, where)
    number = _num(_req(raw, "number", where), where + ".number", 1, 9999, integer=True)
    wq = raw.get("queues") or []
    if not isinstance(wq, list) or not wq or len(set(map(str, wq))) != len(wq):
        raise ConfigError(f"{where}: queues must be a non-empty list without repeats")
    for q in wq:
        if q not in queues:
            raise ConfigError(f"{where}: queue {q!r} is not a queue of this centre")
    mode = raw.get("mode", "ordered")
    if mode not in MODES:
        raise ConfigError(f"{where}: mode must be one of {', '.join(MODES)}")
    return {"number": number, "name": _text(raw.get("name") or f"{number}号窗口", where + ".name"),
            "queues": list(wq), "mode": mode}


VOICE_KEYS = ("template", "repeat", "lang")
# The hall's announcement: Mandarin by default; Cantonese and English as options. The screens
# fill {ticket} (read digit by digit), {window} (the window's name) and {n} (its number).
VOICE_TEMPLATES = {
    "zh-CN": "请{ticket}号到{window}办理",
    "zh-HK": "請{ticket}號到{n}號窗口辦理",
    "en-US": "Number {ticket}, please go to window {n}",
    "en-GB": "Number {ticket}, please go to window {n}",
}
VOICE_FIELDS = ("ticket", "window", "n")


def _voice(raw, where):
    raw = {} if raw is None else raw
    _check_keys(raw, VOICE_KEYS, where)
    lang = raw.get("lang") or "zh-CN"
    if lang not in VOICE_TEMPLATES:
        raise ConfigError(f"{where}.lang: must be one of {', '.join(VOICE_TEMPLATES)}")
    template = _text(raw.get("template"), where + ".template", required=False) or VOICE_TEMPLATES[lang]
    rest = re.sub(r"{(" + "|".join(VOICE_FIELDS) + ")}", "", template)
    # the window is always spoken, not only the number: a citizen must hear where to go
    if "{ticket}" not in template or not ("{window}" in template or "{n}" in template) \
            or "{" in rest or "}" in rest:
        raise ConfigError(f"{where}.template: must contain {{ticket}} and {{window}} or {{n}}, and may use only "
                          + ", ".join("{" + f + "}" for f in VOICE_FIELDS))
    return {"template": template, "lang": lang,
            "repeat": _num(raw.get("repeat"), where + ".repeat", 1, 5, integer=True, default=2)}


def _unique(rows, key, where):
    seen = set()
    for r in rows:
        if r[key] in seen:
            raise ConfigError(f"{where}: {key} {r[key]!r} appears twice")
        seen.add(r[key])


def normalize_center(raw):
    _check_keys(raw, CENTER_KEYS, "center")
    cid = _id(_req(raw, "id", "center"), "center")
    where = f"center {cid}"
    tz = raw.get("timezone") or "Asia/Shanghai"
    try:
        zone(tz)
        hours = raw.get("hours")
        parse_hours(hours)
    except ValueError as e:
        raise ConfigError(f"{where}: {e}") from None
    location = raw.get("location")
    if location is not None:
        if (not isinstance(location, list) or len(location) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in location)
                or not (-90 <= location[0] <= 90 and -180 <= location[1] <= 180)):
            raise ConfigError(f"{where}: location must be [lat, lon]")
    raw_queues = raw.get("queues") or []
    if not isinstance(raw_queues, list) or not raw_queues:
        raise ConfigError(f"{where}: at least one queue is required")
    queues = [_queue(q, f"{where} queues[{i}]") for i, q in enumerate(raw_queues)]
    _unique(queues, "id", where)
    _unique(queues, "prefix", where)
    qids = {q["id"] for q in queues}
    items = [_item(it, f"{where} items[{i}]", qids) for i, it in enumerate(_list(raw, "items", where))]
    _unique(items, "id", where)
    windows = [_window(w, f"{where} windows[{i}]", qids) for i, w in enumerate(_list(raw, "windows", where))]
    _unique(windows, "number", where)
    return {
        "id": cid,
        "name": _text(_req(raw, "name", where), where + ".name"),
        "name_en": _text(raw.get("name_en"), where + ".name_en", required=False),
        "address": _text(raw.get("address"), where + ".address", required=False),
        "location": location,
        "timezone": tz,
        "hours": hours,
        "notice": _text(raw.get("notice"), where + ".notice", required=False),
        "recall_limit": _num(raw.get("recall_limit"), where + ".recall_limit", 1, 100, integer=True, default=3),
        "tickets_per_day": _num(raw.get("tickets_per_day"), where + ".tickets_per_day", 0, 1_000_000,
                                integer=True),
        "voice": _voice(raw.get("voice"), where + ".voice"),
        "queues": queues,
        "items": items,
        "windows": windows,
        # only when set, so that catalogues (and stored events) without it stay as they were
        **({"notice_en": _text(raw["notice_en"], where + ".notice_en")} if raw.get("notice_en") is not None else {}),
        **({"unconfirmed_void_s": _num(raw["unconfirmed_void_s"], where + ".unconfirmed_void_s", 10, 86_400)}
           if raw.get("unconfirmed_void_s") is not None else {}),
        **({"booking": _settings(raw["booking"], BOOKING_DEFAULTS, where + ".booking", {
            "days_ahead": (0, 90), "early_s": (0, 86_400), "grace_s": (0, 86_400), "max_missed": (1, 100),
            "missed_window_days": (1, 365), "block_days": (0, 365)})} if raw.get("booking") is not None else {}),
        **({"remote": _settings(raw["remote"], REMOTE_DEFAULTS, where + ".remote", {
            "per_day": (1, 100), "active_per_queue": (1, 100), "max_km": (0.1, 1000)})}
           if raw.get("remote") is not None else {}),
        **({"norms": _norms(raw["norms"], where + ".norms", CENTER_NORMS)} if raw.get("norms") is not None else {}),
        **({"rating_days": _num(raw["rating_days"], where + ".rating_days", 0, 90, integer=True)}
           if raw.get("rating_days") is not None else {}),
        **({"elderly_age": _num(raw["elderly_age"], where + ".elderly_age", 50, 120, integer=True)}
           if raw.get("elderly_age") is not None else {}),
        **_calendar_keys(raw, where),
    }


def _date(value, where):
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ConfigError(f"{where}: {value!r} is not a date like 2026-10-01")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a date like 2026-10-01") from None
    return value


def _dates(raw, key, where):
    return sorted({_date(d, f"{where}.{key}") for d in _list(raw, key, where)})


def _calendar_keys(raw, where):
    """The calendar a centre with hours follows: China's official one (its table put in by the edge
    as `official_calendar`: {"years": [first, last], "holidays": {date: name}, "workdays": [date]})
    unless `calendar: none`, and its own `closed_dates` and `open_dates` on top. Only keys that are
    set are kept, so that catalogues and stored events without them stay as they were."""
    out = {}
    calendar = raw.get("calendar", "official")
    if calendar not in CALENDARS:
        raise ConfigError(f"{where}.calendar: must be one of {', '.join(CALENDARS)}")
    if calendar != "official":
        out["calendar"] = calendar
    for key in ("closed_dates", "open_dates"):
        if raw.get(key):
            out[key] = _dates(raw, key, where)
    both = set(out.get("closed_dates", ())) & set(out.get("open_dates", ()))
    if both:
        raise ConfigError(f"{where}: {', '.join(sorted(both))} both closed and open")
    table = raw.get("official_calendar")
    if table is not None and calendar == "official" and raw.get("hours") is not None:
        w = where + ".official_calendar"
        if (not isinstance(table, dict) or not isinstance(table.get("holidays"), dict)
                or not isinstance(table.get("workdays"), list) or not isinstance(table.get("years"), list)
                or len(table["years"]) != 2 or not all(isinstance(y, int) for y in table["years"])):
            raise ConfigError(f"{w}: must be {{years: [first, last], holidays: {{date: name}}, workdays: [date]}}")
        out["official_calendar"] = {
            "years": list(table["years"]),
            "holidays": {_date(d, w): _text(n, w) for d, n in sorted(table["holidays"].items())},
            "workdays": sorted({_date(d, w) for d in table["workdays"]})}
    return out


def calendar_of(d):
    """The dates that break a normalized centre's week: {"closed", "open", "years"} for `parse_hours`."""
    closed, open_, years = {}, set(), None
    table = d.get("official_calendar")
    if table and d.get("calendar", "official") == "official":
        closed.update(table["holidays"])
        open_.update(table["workdays"])
        years = table["years"]
    for day in d.get("closed_dates", ()):
        closed[day] = ""
        open_.discard(day)
    for day in d.get("open_dates", ()):
        open_.add(day)
        closed.pop(day, None)
    return {"closed": closed, "open": open_, "years": years}


def _list(raw, key, where):
    value = raw.get(key) or []
    if not isinstance(value, list):
        raise ConfigError(f"{where}: {key} must be a list")
    return value


@dataclass(frozen=True, slots=True)
class QueueConfig:
    id: str
    prefix: str
    name: str
    name_en: str
    category: str
    daily_quota: int
    service_s: float
    service_sigma: float
    appointments: dict = None     # {"slots": [...], "capacity": n} when the queue takes bookings
    norms: dict = None            # 电子监察 thresholds of this queue (hall.core.supervision)
    id_card_required: bool = False   # a ticket of this queue is taken by laying an ID card only


@dataclass(frozen=True, slots=True)
class ItemConfig:
    id: str
    name: str
    name_en: str
    queue: str
    department: str
    life_events: tuple
    materials: tuple
    weight: float


@dataclass(frozen=True, slots=True)
class CenterConfig:
    id: str
    name: str
    name_en: str
    address: str
    location: tuple
    timezone: str
    hours: tuple          # parsed: 7 tuples of (start, end) minutes, or None
    notice: str
    notice_en: str
    recall_limit: int
    tickets_per_day: int
    unconfirmed_void_s: float
    elderly_age: int      # from this age an ID card offers 绿色通道 at the kiosk without the guide
    booking: dict
    remote: dict
    queues: dict          # id → QueueConfig, in catalogue order
    items: dict           # id → ItemConfig
    windows: dict         # number → catalogue dict of the window
    raw: dict             # the normalized dict, as the event carries it

    @classmethod
    def from_dict(cls, d):
        return cls(
            id=d["id"], name=d["name"], name_en=d["name_en"], address=d["address"],
            location=tuple(d["location"]) if d["location"] else None,
            timezone=d["timezone"], hours=parse_hours(d["hours"], calendar_of(d)), notice=d["notice"],
            notice_en=d.get("notice_en"), recall_limit=d["recall_limit"], tickets_per_day=d["tickets_per_day"],
            unconfirmed_void_s=d.get("unconfirmed_void_s", DEFAULT_UNCONFIRMED_VOID_S),
            elderly_age=d.get("elderly_age", DEFAULT_ELDERLY_AGE),
            booking={**BOOKING_DEFAULTS, **d.get("booking", {})},
            remote={**REMOTE_DEFAULTS, **d.get("remote", {})},
            queues={q["id"]: QueueConfig(**q) for q in d["queues"]},
            items={i["id"]: ItemConfig(**{**i, "life_events": tuple(i["life_events"]),
                                          "materials": tuple(i["materials"])}) for i in d["items"]},
            windows={w["number"]: w for w in d["windows"]},
            raw=d,
        )
