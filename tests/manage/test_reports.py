"""Report figures against a small event log computed by hand."""
import pytest

from hall.core.config import normalize_center
from hall.manage.reports import build, period_bounds
from tests.helpers import at, small_center

CONFIG = normalize_center(small_center())
ZHANG = {"username": "zhang", "name": "张敏", "staff_no": "01007"}
LI = {"username": "li", "name": "李伟", "staff_no": "01008"}


def ev(type_, when, **facts):
    return {"type": type_, "at": at(f"2026-11-26 {when}") if len(when) == 5 else at(when), "by": "test", **facts}


LOG = [
    ev("day_started", "00:00", day="2026-11-26"),
    ev("window_opened", "08:30", window=1, staff=ZHANG),
    ev("window_opened", "08:30", window=3, staff=LI),
    ev("ticket_issued", "09:00", ticket="a1", number="A001", queue="general"),
    ev("ticket_called", "09:02", ticket="a1", window=1, queue="general", number="A001"),      # waited 120
    ev("ticket_started", "09:03", ticket="a1", window=1),
    ev("ticket_issued", "09:05", ticket="a2", number="A002", queue="general"),
    ev("ticket_issued", "09:10", ticket="b1", number="B001", queue="police"),
    ev("ticket_finished", "09:13", ticket="a1", window=1, queue="general"),                   # served 600
    ev("ticket_called", "09:15", ticket="a2", window=1, queue="general", number="A002"),      # waited 600
    ev("ticket_no_show", "09:17", ticket="a2", window=1, reason="staff"),
    ev("ticket_called", "09:25", ticket="b1", window=3, queue="police", number="B001"),       # waited 900
    ev("ticket_finished", "09:31", ticket="b1", window=3, queue="police"),                    # 360, no start
    ev("ticket_evaluated", "09:32", ticket="a1", score=5, window=1, queue="general", staff="zhang"),
    ev("ticket_evaluated", "09:33", ticket="b1", score=1, window=3, queue="police", staff="li"),
    ev("ticket_issued", "10:20", ticket="a3", number="A003", queue="general"),
    ev("ticket_called", "10:22", ticket="a3", window=1, queue="general", number="A003"),      # waited 120
    ev("ticket_started", "10:23", ticket="a3", window=1),
    ev("ticket_finished", "10:28", ticket="a3", window=1, queue="general"),                   # served 300
    ev("ticket_evaluated", "10:29", ticket="a3", score=2, window=1, queue="general", staff="zhang"),
    ev("followup_reviewed", "11:00", ticket="b1", followup="fu-b1", outcome="overturned", number="B001"),
    ev("day_started", "2026-11-27 00:00", day="2026-11-27"),
    ev("ticket_issued", "2026-11-27 09:00", ticket="x1", number="A001", queue="general"),
]


def day_report():
    _, _, start, end = period_bounds("day", "2026-11-26", "Asia/Shanghai")
    return build(LOG, CONFIG, start, end)


def test_centre_totals():
    t = day_report()["totals"]
    assert (t["issued"], t["called"], t["served"], t["no_shows"]) == (4, 4, 3, 1)
    assert t["no_show_rate"] == 0.25
    assert t["mean_wait_s"] == 435.0                  # (120 + 600 + 900 + 120) / 4
    assert t["p90_wait_s"] == 810.0                   # sorted 120 120 600 900: rank 2.7 → 600 + 0.7 × 300
    assert t["mean_service_s"] == 420.0               # (600 + 360 + 300) / 3
    # b1's 1 was overturned on appeal: two ratings count, 5 and 2
    assert (t["rated"], t["rating_rate"], t["satisfaction"], t["mean_score"], t["bad_ratings"]) == \
        (2, 0.6667, 0.5, 3.5, 1)


def test_by_queue():
    general, police = day_report()["queues"]
    assert general["name"] == "综合受理" and police["name"] == "户籍业务"
    assert (general["issued"], general["called"], general["served"], general["no_show_rate"]) == (3, 3, 2, 0.3333)
    assert general["mean_wait_s"] == 280.0 and general["p90_wait_s"] == 504.0    # 120 120 600: rank 1.8
    assert general["mean_service_s"] == 450.0 and general["satisfaction"] == 0.5
    assert (police["issued"], police["mean_wait_s"], police["mean_service_s"], police["rated"]) == (1, 900.0, 360.0, 0)
    assert police["rating_rate"] == 0.0 and police["satisfaction"] is None


def test_by_window_and_staff():
    r = day_report()
    w1, w3 = r["windows"]
    assert (w1["number"], w1["issued"], w1["called"], w1["served"], w1["no_shows"]) == (1, None, 3, 2, 1)
    assert (w3["number"], w3["mean_wait_s"], w3["mean_service_s"]) == (3, 900.0, 360.0)
    li, zhang = r["staff"]
    assert (zhang["name"], zhang["served"], zhang["mean_score"]) == ("张敏", 2, 3.5)
    assert (li["name"], li["served"], li["rated"]) == ("李伟", 1, 0)


def test_arrivals_heatmap():
    h = day_report()["heatmap"]
    assert h["hours"] == [9, 10]
    assert h["by_day"] == [{"label": "2026-11-26", "counts": [3, 1]}]
    assert [(row["queue"], row["counts"]) for row in h["by_queue"]] == [("general", [2, 1]), ("police", [1, 0])]


def test_a_week_holds_both_days():
    _, _, start, end = period_bounds("week", "2026-11-26", "Asia/Shanghai")
    r = build(LOG, CONFIG, start, end)
    assert r["totals"]["issued"] == 5
    assert [(d["day"], d["issued"], d["served"]) for d in r["days"]] == [("2026-11-26", 4, 3), ("2026-11-27", 1, 0)]


@pytest.mark.parametrize("period, day, first, last", [
    ("day", "2026-11-26", "2026-11-26", "2026-11-26"),
    ("week", "2026-11-26", "2026-11-23", "2026-11-29"),
    ("month", "2026-11-26", "2026-11-01", "2026-11-30"),
    ("month", "2026-12-31", "2026-12-01", "2026-12-31"),
    ("month", "2028-02-10", "2028-02-01", "2028-02-29"),
])
def test_period_bounds(period, day, first, last):
    a, b, start, end = period_bounds(period, day, "Asia/Shanghai")
    assert (a.isoformat(), b.isoformat()) == (first, last)
    assert start == at(f"{first} 00:00") and end - start == ((b - a).days + 1) * 86400


# --- reports from the stored aggregates are the reports from the raw events ---

HUANSHI_DAYS = 3
TODAY = __import__("datetime").date(2026, 11, 26)         # a Thursday: history is Mon–Wed


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request, tmp_path):
    from hall.store.memory import MemoryStore
    from hall.store.redis import RedisStore
    from hall.store.sqlite import SQLiteStore
    if request.param == "memory":
        s = MemoryStore()
    elif request.param == "sqlite":
        s = SQLiteStore(str(tmp_path / "hall.db"))
    else:
        s = RedisStore(request.getfixturevalue("redis_url"))
    yield s
    s.close()


@pytest.fixture
def huanshi():
    from hall import catalog
    return next(c for c in catalog.read("hall/demo/district.yaml") if c["id"] == "huanshi")


def both_reports(store, config, period, day, keeper=None):
    """(from the aggregates, through a fresh keeper; from the raw events of the log)."""
    from hall.centre import Hall
    from hall.store import aggregates
    hall = Hall(store)
    keeper = keeper or aggregates.Keeper(store)
    state = hall.state(config["id"])
    first, last, start, end = period_bounds(period, day, config["timezone"])
    rows = keeper.rows(config["id"], first.isoformat(), last.isoformat(), state)
    from hall.manage.reports import from_rows
    return (from_rows(rows, config, first.isoformat(), last.isoformat()),
            build(store.read(config["id"]), config, start, end))


def test_a_history_written_through_the_gateway_reports_the_same_from_aggregates_and_raw_events(store, huanshi):
    from hall.sim.history import write_history
    done = write_history(store, huanshi, HUANSHI_DAYS, seed=2, today=TODAY)
    assert (done["first"], done["last"]) == ("2026-11-23", "2026-11-25")
    mark = store.aggregate_mark("huanshi")
    assert mark["seq"] == store.version("huanshi") == store.load_snapshot("huanshi")["version"]
    for period, day in (("day", "2026-11-24"), ("week", "2026-11-25"), ("month", "2026-11-01")):
        stored, raw = both_reports(store, huanshi, period, day)
        assert stored == raw
    assert stored["totals"]["issued"] > 2000 and len(stored["days"]) == 3 and stored["staff"]


def test_aggregates_missing_behind_or_of_another_format_are_rebuilt_from_the_log(store, huanshi):
    from hall.centre import Hall
    from hall.core.lives import FORMAT
    from hall.sim.history import write_history
    write_history(store, huanshi, 2, seed=5, today=TODAY)
    whole = both_reports(store, huanshi, "week", "2026-11-25")[1]
    # behind: a process appended and died before its aggregate update (no keeper listening here)
    hall = Hall(store, clock=lambda: at("2026-11-25 16:00"))
    hall.execute("huanshi", "issue", {"queue": "general"}, by="test")
    stored, raw = both_reports(store, huanshi, "week", "2026-11-25")
    assert stored == raw and raw["totals"]["issued"] == whole["totals"]["issued"] + 1
    assert store.aggregate_mark("huanshi")["seq"] == store.version("huanshi")
    # another format: rows and mark are dropped and folded again
    store.add_aggregates("huanshi", {}, store.version("huanshi"),
                         {"seq": store.version("huanshi"), "day_seq": 1, "format": FORMAT - 1})
    stored, raw = both_reports(store, huanshi, "week", "2026-11-25")
    assert stored == raw and store.aggregate_mark("huanshi")["format"] == FORMAT
    # missing
    store.clear_aggregates("huanshi")
    assert both_reports(store, huanshi, "week", "2026-11-25") == (raw, raw)


def test_an_overturned_rating_is_taken_back_from_the_day_it_was_counted(store):
    from hall.centre import Hall
    from hall.store import aggregates
    from tests.helpers import Clock, always_open
    clock = Clock("2026-11-26 09:00")
    hall = Hall(store, clock=clock)
    keeper = aggregates.attach(hall)
    c = always_open(small_center("east"))
    hall.execute("east", "configure", {"config": c})
    hall.execute("east", "open", {"window": 1, "staff": ZHANG}, by="zhang")
    tid, _, _ = hall.execute("east", "issue", {"queue": "general"})
    for step in ("call-next", "start", "finish"):
        clock.advance(60)
        hall.execute("east", step, {"window": 1}, by="zhang")
    hall.execute("east", "evaluate", {"ticket": tid, "score": 1, "options": ["attitude_bad"]})
    before = both_reports(store, normalize_center(c), "day", "2026-11-26", keeper)
    assert before[0] == before[1] and before[0]["totals"]["bad_ratings"] == 1
    clock.advance(86400)
    hall.execute("east", "issue", {"queue": "general"})
    clock.advance(2 * 86400)          # days later, after a restart: the rating is known from the follow-up only
    hall = Hall(store, clock=clock)
    keeper = aggregates.attach(hall)
    fid = next(iter(hall.state("east").followups))
    for step, args in (("followup-verify", {"note": "核实", "finding": "confirmed"}),
                       ("followup-appeal", {"note": "申诉"}),
                       ("followup-review", {"note": "复核", "outcome": "overturned"})):
        hall.execute("east", step, {"followup": fid, **args}, by="manager")
    stored, raw = both_reports(store, normalize_center(c), "day", "2026-11-26", keeper)
    assert stored["totals"]["bad_ratings"] == 0 and stored["totals"]["rated"] == 0
    assert stored == raw


def test_two_processes_keeping_one_store_s_aggregates_count_every_event_once(store, huanshi):
    """Two gateways on one store (as two web processes on Redis), each with its keeper, taking turns."""
    from hall.centre import Hall
    from hall.sim.engine import Engine, GatewayBackend, SimClock
    from hall.sim.model import Options
    from hall.store import aggregates
    from hall.store.memory import MemoryStore
    from hall.store.redis import RedisStore
    from hall.store.sqlite import SQLiteStore
    if isinstance(store, MemoryStore):
        other = MemoryStore(shared=store)
    elif isinstance(store, SQLiteStore):
        other = SQLiteStore(store.path)
    else:
        other = RedisStore(store.url)
    clock = SimClock(at("2026-11-24 00:01"))
    halls = [Hall(s, clock=clock) for s in (store, other)]
    for h in halls:
        aggregates.attach(h)
    halls[0].execute("huanshi", "configure", {"config": huanshi})
    turn = [0]

    class TakingTurns(GatewayBackend):
        def do(self, name, args, at_, by):
            turn[0] += 1
            self.hall = halls[turn[0] % 2]
            return super().do(name, args, at_, by)

        def read(self):
            return self.hall.state(self.cid)

    backend = TakingTurns(halls[0], "huanshi", clock)
    from datetime import date
    from hall.core.config import CenterConfig
    engine = Engine(backend, CenterConfig.from_dict(huanshi), Options(tickets_per_day=200), seed=4)
    engine.start_day(date(2026, 11, 24))
    engine.run_until(at("2026-11-24 23:59"))
    stored, raw = both_reports(store, huanshi, "day", "2026-11-24")
    assert stored == raw and raw["totals"]["served"] > 100
    other.close()


@pytest.mark.parametrize("seed", range(5))
def test_percentiles_from_buckets_are_exact_to_the_second_under_an_hour_and_to_the_bucket_beyond(seed):
    import random
    from hall.core.lives import bucket, new_row, wait_percentile
    from hall.stats import percentile
    rng = random.Random(seed)
    whole = [float(rng.randrange(0, 3600)) for _ in range(rng.randrange(1, 400))]
    long = [rng.uniform(0, 30000) for _ in range(300)]
    for waits, within in ((whole, 1e-9), (long, 60)):
        row = new_row()
        row["called"] = len(waits)
        for w in waits:
            row["waits"][str(bucket(w))] = row["waits"].get(str(bucket(w)), 0) + 1
        for p in (10, 50, 90, 100):
            assert wait_percentile(row, p) == pytest.approx(percentile(waits, p), abs=within)
