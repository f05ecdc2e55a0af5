"""好差评 follow-ups: every bad rating (2 不满意, 1 非常不满意) goes round the loop the national rules
describe — verify (核实), rectify (整改), reply to the citizen (反馈) — with a deadline; the staff or
department may appeal (申诉) a rating they think unfounded, and a review (复核) upholds it (the loop
goes on) or overturns it (the rating no longer counts in satisfaction figures).

    open ──verify──▶ verified ──rectify──▶ rectified ──reply──▶ closed
                       │  └──reply (finding "unfounded")─────────▶ closed
                       └──appeal──▶ appealed ──review: upheld──▶ (back where it was)
                  rectified ──appeal──▶ appealed ──review: overturned──▶ closed

A return visit (回访) asks the citizen, once the complaint was put right (rectified, or closed), whether
they are now satisfied: `revisit` records who, when, the result (satisfied / unsatisfied after the
rectification) and a note (personal data masked); once per follow-up, not on one overturned.

A follow-up opens in the same decision as the rating (`opening` wraps the core's `evaluate`),
carries what it needs of the ticket (tickets end with their day; follow-ups do not), and stays in
the state until a month after it closed. `hall.core.supervision` flags one past its deadline.
"""
import functools
from datetime import datetime, timedelta, time as dtime

from .clock import day_hours, zone
from .errors import bad_input, conflict, not_found
from .ratings import mask_personal, record_of

BAD_SCORE = 2
OPEN, VERIFIED, RECTIFIED, APPEALED, CLOSED = "open", "verified", "rectified", "appealed", "closed"
STATUSES = (OPEN, VERIFIED, RECTIFIED, APPEALED, CLOSED)
FINDINGS = ("confirmed", "unfounded")
RESULTS = ("satisfied", "unsatisfied")
OUTCOMES = ("upheld", "overturned")
KEEP_CLOSED_S = 31 * 86400
DEFAULT_DAYS = 15


def followup_id(ticket_id):
    return f"fu-{ticket_id}"


def deadline(cfg, at, days):
    """The end of the `days`-th working day after the local day of `at` (a working day: one the
    centre opens on, by its week, the official calendar and its own dates — so a holiday does not
    count and a make-up Saturday does; Monday to Friday for a centre always open)."""
    tz = zone(cfg.timezone)
    d = datetime.fromtimestamp(at, tz).date()
    left = days
    while left > 0:
        d += timedelta(days=1)
        works = bool(day_hours(cfg.hours, d)) if cfg.hours is not None else d.weekday() < 5
        left -= works
    return datetime.combine(d + timedelta(days=1), dtime(0), tz).timestamp()


def _days(cfg):
    return (cfg.raw.get("norms") or {}).get("followup_days") or DEFAULT_DAYS


def opening(evaluate):
    """The core's `evaluate`, which also opens a follow-up for a bad rating, in the same decision."""
    @functools.wraps(evaluate)
    def evaluate_and_follow_up(state, at, by, **args):
        events, result = evaluate(state, at, by, **args)
        for e in list(events):
            # one follow-up per service: a second bad rating from another channel joins no new loop
            if (e["type"] == "ticket_evaluated" and e["score"] <= BAD_SCORE
                    and followup_id(e["ticket"]) not in state.followups):
                r = record_of(state, e["ticket"])
                events.append({"type": "followup_opened", "at": at, "by": by, "followup": followup_id(e["ticket"]),
                               "ticket": e["ticket"], "number": r["number"], "queue": r["queue"], "day": r["day"],
                               "window": r["window"], "staff": e.get("staff"), "staff_name": r.get("staff_name"),
                               "score": e["score"], "comment": e.get("comment"),
                               "reasons": list(e.get("options") or ()), "channel": e.get("channel"),
                               "deadline": deadline(state.config, at, _days(state.config))})
        return events, result
    return evaluate_and_follow_up


# --- the steps ---

def _followup(state, ref):
    if not isinstance(ref, str) or not ref:
        raise bad_input("followup must be a follow-up id")
    f = state.followups.get(ref)
    if f is None:
        raise not_found(f"no follow-up {ref!r}", "unknown_followup")
    return f


def _note(note):
    if not isinstance(note, str) or not note.strip() or len(note) > 500:
        raise bad_input("note must be text of 1 to 500 characters: what was found or done")
    return note.strip()


def _step(f, allowed, step):
    if f["status"] not in allowed:
        raise conflict(f"follow-up of {f['number']} is {f['status']}; cannot {step} it now", f"followup_{f['status']}")


def _event(type_, at, by, f, **facts):
    return [{"type": type_, "at": at, "by": by, "followup": f["id"], "ticket": f["ticket"], "number": f["number"],
             **facts}], f["id"]


def verify(state, at, by, followup, note, finding="confirmed"):
    f = _followup(state, followup)
    if finding not in FINDINGS:
        raise bad_input(f"finding must be one of {', '.join(FINDINGS)}")
    _step(f, (OPEN,), "verify")
    return _event("followup_verified", at, by, f, finding=finding, note=_note(note))


def rectify(state, at, by, followup, note):
    f = _followup(state, followup)
    _step(f, (VERIFIED,), "rectify")
    return _event("followup_rectified", at, by, f, note=_note(note))


def reply(state, at, by, followup, note):
    f = _followup(state, followup)
    _step(f, (VERIFIED, RECTIFIED), "reply to")
    if f["status"] == VERIFIED and f["finding"] != "unfounded":
        raise conflict(f"the complaint about {f['number']} was confirmed: rectify before replying",
                       "followup_not_rectified")
    return _event("followup_replied", at, by, f, note=_note(note))


def appeal(state, at, by, followup, note):
    f = _followup(state, followup)
    _step(f, (VERIFIED, RECTIFIED), "appeal")
    return _event("followup_appealed", at, by, f, note=_note(note))


def review(state, at, by, followup, note, outcome):
    f = _followup(state, followup)
    if outcome not in OUTCOMES:
        raise bad_input(f"outcome must be one of {', '.join(OUTCOMES)}")
    _step(f, (APPEALED,), "review")
    return _event("followup_reviewed", at, by, f, outcome=outcome, note=_note(note))


def revisit(state, at, by, followup, note, result):
    """The return visit (回访) of a complaint put right: the citizen's answer and what they said."""
    f = _followup(state, followup)
    if result not in RESULTS:
        raise bad_input(f"result must be one of {', '.join(RESULTS)}")
    note = _note(note)
    if f.get("overturned"):
        raise conflict(f"the rating of {f['number']} was overturned on appeal: no return visit", "followup_overturned")
    _step(f, (RECTIFIED, CLOSED), "record a return visit of")
    if f.get("revisit"):
        raise conflict(f"the return visit of {f['number']} is already recorded", "already_revisited")
    return _event("followup_revisited", at, by, f, result=result, note=mask_personal(note))


COMMANDS = {
    "followup-revisit": revisit,
    "followup-verify": verify,
    "followup-rectify": rectify,
    "followup-reply": reply,
    "followup-appeal": appeal,
    "followup-review": review,
}


# --- the fold ---

def _opened(s, e):
    s.followups[e["followup"]] = {
        "id": e["followup"], "ticket": e["ticket"], "number": e["number"], "queue": e["queue"],
        "window": e["window"], "staff": e["staff"], "staff_name": e.get("staff_name"), "score": e["score"],
        "comment": e.get("comment"), "reasons": e.get("reasons", []), "channel": e.get("channel"), "opened_at": e["at"],
        "deadline": e["deadline"], "status": OPEN, "day": e.get("day"), "rectified_at": None, "revisit": None,
        "finding": None, "before_appeal": None, "overturned": False, "closed_at": None,
        "history": [{"step": "opened", "at": e["at"], "by": e["by"]}]}


def _moved_on(status, **extra):
    def apply_step(s, e):
        f = s.followups[e["followup"]]
        step = e["type"][len("followup_"):]
        f["history"] = f["history"] + [{"step": step, "at": e["at"], "by": e["by"], "note": e.get("note"),
                                        **{k: e[k] for k in ("finding", "outcome") if k in e}}]
        if step == "verified":
            f["finding"] = e["finding"]
        if step == "rectified":
            f["rectified_at"] = e["at"]
        if step == "appealed":
            f["before_appeal"] = f["status"]
        if step == "reviewed":
            if e["outcome"] == "overturned":
                f["status"], f["overturned"], f["closed_at"] = CLOSED, True, e["at"]
            else:
                f["status"] = f["before_appeal"]
            return
        f["status"] = status
        if status == CLOSED:
            f["closed_at"] = e["at"]
    return apply_step


def _revisited(s, e):
    f = s.followups[e["followup"]]
    f["revisit"] = {"at": e["at"], "by": e["by"], "result": e["result"], "note": e.get("note")}
    f["history"] = f["history"] + [{"step": "revisited", "at": e["at"], "by": e["by"], "note": e.get("note"),
                                    "result": e["result"]}]


APPLY = {
    "followup_revisited": _revisited,
    "followup_opened": _opened,
    "followup_verified": _moved_on(VERIFIED),
    "followup_rectified": _moved_on(RECTIFIED),
    "followup_replied": _moved_on(CLOSED),
    "followup_appealed": _moved_on(APPEALED),
    "followup_reviewed": _moved_on(None),
}


def prune(s, at):
    """At a day's start: forget follow-ups closed more than a month ago (the log keeps them)."""
    old = [k for k, f in s.followups.items() if f["status"] == CLOSED and at - f["closed_at"] > KEEP_CLOSED_S]
    if old:
        s.followups = {k: f for k, f in s.followups.items() if k not in old}
