"""Long simulated histories written into a hall's store, through the path a live hall uses.

`write_history(store, center, days)` plays `days` open days of a centre, ending yesterday, with the
simulator's people acting through the gateway (`hall.centre.Hall`) at simulated moments, the
per-day aggregates updated by their keeper as they would be live. The gateway runs on a
`PagedStore` over the real store, so each simulated day reaches the store as a few pages of events
(one durable commit each), its aggregates as one update and, at the end, a fresh snapshot.

The wait estimator hears the last `LEARN_DAYS` days as a live hall's would and the snapshot keeps
what it learned, so that `hall serve` starts from it without relearning the log. Only those days:
everything the learner keeps is bounded (recent samples, call-order generations, calibration
cells), so what it holds after them is what a year would leave, at a fraction of the time.
"""
import time
from datetime import datetime, timedelta, time as dtime

from ..centre import Hall
from ..core.clock import day_hours, uncovered_years, zone
from ..core.config import CenterConfig, normalize_center
from ..estimate import Estimator, Learner
from ..store import aggregates
from ..store.paged import PagedStore
from .engine import Engine, GatewayBackend, SimClock
from .model import Options

LEARN_DAYS = 56         # open days the estimator hears: more than any of its bounded memories spans

class HistoryError(Exception):
    pass


def uncovered_warning(years):
    return (f"warning: the official holiday calendar (package chinese-calendar) does not cover "
            f"{', '.join(map(str, years))}: those days were simulated with the weekly hours only, public "
            f"holidays and make-up days unknown. Upgrade chinese-calendar.")


def last_open_days(config, last, count):
    """The `count` local dates up to and including `last` on which the centre opens, oldest first."""
    days, d = [], last
    while len(days) < count:
        if config.hours is None or day_hours(config.hours, d):
            days.append(d)
        d -= timedelta(days=1)
    return days[::-1]


def write_history(store, center, days, seed=0, today=None, page=5000, options=None, listeners=(),
                  learn_days=LEARN_DAYS):
    """Write the days; returns {"center", "days", "first", "last", "events"}.

    `today` (a local date; default: the real today) is the day after the last one written.
    `listeners` are further gateway listeners (fn(center_id, events, state), phase "learn") to feed as live.
    The estimator hears the last `learn_days` of the days (and the whole log before them, if any).
    """
    raw = normalize_center(center)
    cid = raw["id"]
    config = CenterConfig.from_dict(raw)
    tz = zone(config.timezone)
    today = today or datetime.now(tz).date()
    dates = last_open_days(config, today - timedelta(days=1), days)
    first_moment = datetime.combine(dates[0], dtime(0, 1), tz).timestamp()

    paged = PagedStore(store, page)
    clock = SimClock(first_moment)
    # no snapshot per 1,000 events (each is the whole day's state): one at the end
    # it learns as the served hall does, in this thread (a log already there is learned before the
    # days are written), but never trains: the served hall trains on the learned part
    hall = Hall(paged, clock=clock, snapshot_every=float("inf"),
                estimator=Estimator(background=False, training=False))
    keeper = aggregates.attach(hall)
    for fn in listeners:
        hall.listen("learn", fn)
    version = store.version(cid)
    if version:
        (last,) = store.read(cid, version - 1)
        if last["at"] >= first_moment:
            reached = datetime.fromtimestamp(last["at"], tz).date().isoformat()
            raise HistoryError(f"the log of {cid!r} already reaches {reached}: history goes before today's "
                               f"events, so write it into a centre whose log ends before {dates[0].isoformat()}")
    before = version
    state = hall.state(cid) if version else None
    if state is None or state.config is None:
        hall.execute(cid, "configure", {"config": raw}, by="sim")
    backend = GatewayBackend(hall, cid, clock)
    engine = Engine(backend, config, options or Options(), seed=seed)
    learn_from = max(len(dates) - learn_days, 0)
    if learn_from:
        hall.estimator.forget(cid)       # deaf until the days it is to hear; a learner then starts there
    for i, d in enumerate(dates):
        if i == learn_from and hall.estimator.learner(cid) is None:
            hall.estimator.install(cid, Learner())
        engine.start_day(d)
        engine.run_until(datetime.combine(d, dtime(23, 59), tz).timestamp())
        paged.flush()
    keeper.catch_up(cid, hall.state(cid))     # a no-op unless a listener fell behind
    hall.snapshot(cid)                        # the state and what the estimator learned
    paged.flush()
    return {"center": cid, "days": len(dates), "first": dates[0].isoformat(), "last": dates[-1].isoformat(),
            "events": store.version(cid) - before,
            "calendar_uncovered": uncovered_years(config.hours, dates[0], dates[-1])}


def command(center_id, days, seed, catalog_file=None, echo=print):
    """`hall simulate --store`: returns a process exit code. The store and "today" are the hall's
    own (`HALL_DATA_DIR` or `HALL_REDIS_URL`; its clock, `HALL_CLOCK_START`'s when set)."""
    from .run import centre_of
    from ..config import read
    from ..store import open_store
    center, code = centre_of(center_id, catalog_file, echo)
    if center is None:
        return code
    config = read()
    store = open_store(config["DATA_DIR"], config["REDIS_URL"])
    today = datetime.fromtimestamp(config["CLOCK"](), zone(normalize_center(center)["timezone"])).date()
    t0 = time.perf_counter()
    try:
        done = write_history(store, center, days, seed=seed, today=today)
    except HistoryError as e:
        echo(f"error: {e}")
        return 2
    finally:
        store.close()
    echo(f"{center['name']} ({center_id}): {done['days']} open day(s) {done['first']} – {done['last']}, "
         f"{done['events']} events written in {time.perf_counter() - t0:.1f} s")
    if done["calendar_uncovered"]:
        echo(uncovered_warning(done["calendar_uncovered"]))
    return 0
