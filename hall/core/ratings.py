"""好差评: the five levels and the options a citizen may tick, as codes (their words are in the text
catalogue under `rating.*`), and the rules a rating is held to.

Which list: 国办发〔2019〕51号 (关于建立政务服务“好差评”制度提高政务服务水平的意见) and GB/T
39734-2020 fix the five levels (5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意), that a
不满意/非常不满意 rating names its reasons, and that a service is rated once per channel (一次一评);
they leave the tick-box wording to the platforms. The options here are the ones the national
integrated platform's rating pages commonly show: for the good side 服务态度好, 办事效率高, 一次办成,
材料精简, 流程便捷, 一次告知清楚; for the bad side the mirror reasons 服务态度差, 办事效率低, 多次跑动,
材料繁琐, 流程不清, 未一次告知, and 其他 (with the comment saying what).

Readings where the rules are loose:
- 基本满意 (3) counts as good in 好评率 (hall.manage.reports), so it offers the good options; ticking
  is optional for 3–5 and required (at least one) for 1–2.
- An option must belong to the level chosen: a 5 with 服务态度差 contradicts itself, so it is refused.
- "Once per channel": the evaluator at the window, the phone (ticket page, QR code) and the kiosk are
  three channels; each may rate a service once. Only the first bad rating of a service opens a 差评
  follow-up (the loop is about the service, not the channel).
- An evaluator keypad has a key per level and no reasons: a 1 or 2 from it carries `other` (其他), so
  the keypad keeps working and the follow-up says the reason was not given.
- "一次一评" in the figures: a service counts once in 好评率 and every other rate however many channels
  rated it, with the *lowest* score it was given (the event of a rating that lowers it says which score
  it `replaces`; a rating that does not lower it has `counts: false`). The lowest, not the first: a
  complaint must never hide behind an earlier good rating, and so a service counts as 差评 exactly when
  it has a 差评 follow-up. Every rating stays in the log and in the upward export, each with its channel.
- The rating window: `rating_days` after the service ended (catalogue key of the centre, default 7
  days, counted in whole 24-hour days from the moment it ended; 0 allows only the same local day).
"""
import re

from .state import Ticket, DONE

SCORES = (5, 4, 3, 2, 1)
LEVELS = {5: "very_satisfied", 4: "satisfied", 3: "basically_satisfied", 2: "dissatisfied",
          1: "very_dissatisfied"}
GOOD_OPTIONS = ("attitude_good", "efficient", "done_once", "materials_lean", "process_easy", "told_once")
BAD_OPTIONS = ("attitude_bad", "inefficient", "many_trips", "materials_heavy", "process_unclear",
               "not_told_once", "other")
KEYPAD_OPTION = "other"
REASON_REQUIRED = (1, 2)
ALL_OPTIONS = GOOD_OPTIONS + BAD_OPTIONS
CHANNELS = ("evaluator", "phone", "kiosk")
DEFAULT_RATING_DAYS = 7
DAY_S = 86400


def options_of(score):
    return BAD_OPTIONS if score in REASON_REQUIRED else GOOD_OPTIONS


def check_options(score, options):
    """The options of a rating, checked: a list of known codes of that level, no repeats; at least one
    for a bad score. Returns (code, message) of the refusal, or None."""
    if not isinstance(options, (list, tuple)) or not all(isinstance(o, str) for o in options):
        return "bad_input", "options must be a list of option codes"
    unknown = [o for o in options if o not in ALL_OPTIONS]
    if unknown:
        return "unknown_option", f"no rating option {unknown[0]!r}"
    wrong = [o for o in options if o not in options_of(score)]
    if wrong:
        return "unknown_option", f"option {wrong[0]!r} is not one of score {score}'s"
    if len(set(options)) != len(options):
        return "bad_input", "an option is given twice"
    if score in REASON_REQUIRED and not options:
        return "reason_required", "a rating of 1 or 2 names at least one reason"
    return None


def rating_days(cfg):
    days = cfg.raw.get("rating_days")
    return DEFAULT_RATING_DAYS if days is None else days


def closes_at(cfg, ended_at, day_end):
    """When the rating of a service that ended at `ended_at` (on the local day ending at `day_end`)
    is no longer taken."""
    days = rating_days(cfg)
    return day_end if days == 0 else ended_at + days * DAY_S


def keep_until(cfg, ended_at, day_end):
    """How long the state keeps what rating needs: a local day that starts before this is kept whole,
    so a try on the day after the window is told it closed (409 rating_closed), not that the ticket is
    unknown."""
    return closes_at(cfg, ended_at, day_end) + DAY_S


def record(state, t):
    """What rating a served ticket needs, kept after its day ends (the window's staff while it is open)."""
    w = state.windows.get(t.window)
    staff = (w.staff or {}) if w is not None else {}
    return {"number": t.number, "queue": t.queue, "item": t.item, "priority": t.priority, "channel": t.channel,
            "window": t.window, "day": state.day, "day_end": state.day_end, "staff": staff.get("username"),
            "staff_name": staff.get("name"), "staff_no": staff.get("staff_no"), "issued_at": t.issued_at,
            "called_at": t.called_at, "ended_at": t.finished_at, "rated": {}}


def record_of(state, ticket_id):
    """The record of a served ticket; made from today's ticket when a snapshot older than the records
    holds it (then a rating from any channel but one already given counts as that one)."""
    r = state.rateable.get(ticket_id)
    if r is None:
        t = state.tickets.get(ticket_id)
        if t is not None and t.status == DONE and t.finished_at is not None:
            r = record(state, t)
            if t.score is not None:
                r["rated"] = {"phone": t.score}
    return r


def past_ticket(state, ticket_id):
    """A ticket served on an earlier day and still in its rating window, as a done Ticket (for the
    ticket page and the QR code), or None. Today's tickets are in `state.tickets`."""
    r = state.rateable.get(ticket_id)
    if r is None or r["day"] == state.day or r["queue"] not in state.config.queues:
        return None
    first = next(iter(r["rated"].values()), None)
    return Ticket(id=ticket_id, number=r["number"], queue=r["queue"], priority=r.get("priority", "normal"),
                  channel=r.get("channel", "kiosk"), status=DONE, issued_at=r["issued_at"], since=r["issued_at"],
                  item=r.get("item"), window=r["window"], called_at=r["called_at"], finished_at=r["ended_at"],
                  score=first)


def counting(rated, score):
    """How a new rating `score` of a service already rated {channel: score} counts in the figures
    (一次一评, the lowest score counts): (counts, the counted score it replaces or None)."""
    if not rated:
        return True, None
    lowest = min(rated.values())
    return (True, lowest) if score < lowest else (False, None)


_ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{6})(?:[0-9]{11}[0-9Xx]|[0-9]{9})(?![0-9Xx])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9][0-9])[- ]?[0-9]{4}[- ]?([0-9]{4})(?![0-9])")
_LONG_DIGITS = re.compile(r"[0-9]{7,}")


def mask_personal(text):
    """Free text (a rating's comment, a return visit's note) with the personal data it may carry
    masked: ID numbers (15 or 18 digits) keep their region and last four, mobile numbers their
    prefix and last four, any other run of 7 or more digits (a landline, a card) its last two.
    Names in free text cannot be told apart from other words; the forms ask citizens not to write them."""
    if not text:
        return text
    text = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 10) + m.group(0)[-4:], text)
    text = _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)
    return _LONG_DIGITS.sub(lambda m: "*" * (len(m.group(0)) - 2) + m.group(0)[-2:], text)
