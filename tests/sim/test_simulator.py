"""The simulator: seeded, through the real core, within opening hours, and right where theory is exact."""
import math

import pytest
from click.testing import CliRunner

from hall import catalog
from hall.commands import cli
from hall.core import CenterState, apply
from hall.core.clock import is_open, parse_hours
from hall.sim import Options, simulate, totals, read_log
from hall.sim.figures import day_figures, split_days
from tests.helpers import small_center


def district():
    from importlib import resources
    import yaml
    data = yaml.safe_load(resources.files("hall.demo").joinpath("district.yaml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in catalog.parse(data)}


def test_the_same_seed_gives_the_same_day_and_another_seed_another():
    c = small_center()
    a = simulate(c, days=2, seed=7)
    b = simulate(c, days=2, seed=7)
    other = simulate(c, days=2, seed=8)
    assert a.events == b.events
    assert a.events != other.events
    assert [f for _, f in a.days] == [f for _, f in b.days]


def test_a_day_runs_through_the_core_in_time_order_and_folds_back_to_its_state():
    sim = simulate(district()["huanshi"], days=1, seed=3)
    events = sim.events
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(a["at"] <= b["at"] for a, b in zip(events, events[1:]))
    state = CenterState(id="huanshi")
    for e in events:
        apply(state, e)
    kinds = {e["type"] for e in events}
    assert {"ticket_issued", "ticket_called", "ticket_started", "ticket_finished", "ticket_no_show",
            "ticket_transferred", "ticket_recalled", "window_paused", "window_resumed", "window_closed"} <= kinds
    assert any(t.priority == "priority" for t in state.tickets.values())
    served_by = {(e["window"], e["queue"]) for e in events if e["type"] == "ticket_called"}
    assert {(2, "consult"), (2, "general")} <= served_by          # a window serving two queues
    assert 600 <= len(state.tickets) <= 1300                      # tickets_per_day: 900
    f = day_figures(split_days(events)[0][1])
    assert f["tickets"] == len(state.tickets) and 0 < f["utilisation"] < 1 and f["no_shows"] > 0


def test_tickets_are_only_issued_in_opening_hours_and_windows_close_at_night():
    c = district()["donghu-community"]
    sim = simulate(c, days=6, seed=5)      # Monday to Saturday
    hours = parse_hours(c["hours"])
    issued = [e["at"] for e in sim.events if e["type"] == "ticket_issued"]
    assert issued and all(is_open(hours, t, c["timezone"]) for t in issued)
    state = CenterState(id=c["id"])
    for e in sim.events:
        apply(state, e)
    assert all(w.state == "closed" for w in state.windows.values())
    days = [d for d, _ in sim.days]
    assert len(days) == 6 and days[-1] == "2026-11-28"            # Saturday morning opens too


def test_item_mix_follows_the_weights():
    sim = simulate(district()["huanshi"], days=2, seed=11)
    issued = [e for e in sim.events if e["type"] == "ticket_issued"]
    general = sum(e["queue"] == "general" for e in issued) / len(issued)
    consult = sum(e["queue"] == "consult" for e in issued) / len(issued)
    assert general > consult > 0


def test_surges_and_windows_moved_mid_day():
    opt = Options(surges=[("police", 9 * 60, 11 * 60, 4.0)], reassign=[(10 * 60, 2, ["police"], "ordered")])
    sim = simulate(small_center(), days=1, seed=2, options=opt)
    assigned = [e for e in sim.events if e["type"] == "window_assigned"]
    assert assigned and assigned[0]["queues"] == ["police"]
    police = [e for e in sim.events if e["type"] == "ticket_issued" and e["queue"] == "police"]
    in_surge = sum(1 for e in police if _minute(e["at"]) < 11 * 60)
    assert in_surge > len(police) / 2


def _minute(t):
    from hall.core.clock import local
    d = local(t, "Asia/Shanghai")
    return d.hour * 60 + d.minute


def erlang_c_wait(c, lam, mean):
    a = lam * mean
    top = a ** c / math.factorial(c) * c / (c - a)
    p_wait = top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
    return p_wait, p_wait / (c / mean - lam)


def test_an_mmc_queue_waits_what_erlang_c_says():
    c, mean, rho = 3, 300.0, 0.6
    lam = rho * c / mean
    center = {"id": "mmc", "name": "M/M/3", "hours": None,
              "queues": [{"id": "q", "prefix": "A", "name": "q", "category": "comprehensive", "service_s": mean}],
              "windows": [{"number": n, "queues": ["q"]} for n in range(1, c + 1)]}
    opt = Options.plain(tickets_per_day=lam * 22 * 3600, exponential_service=True, hours=((60, 23 * 60),))
    sim = simulate(center, days=42, seed=1, options=opt)
    issued, waits = {}, []
    for e in sim.events:
        if e["type"] == "ticket_issued":
            issued[e["ticket"]] = e["at"]
        elif e["type"] == "ticket_called":
            waits.append(e["at"] - issued[e["ticket"]])
    p_wait, wq = erlang_c_wait(c, lam, mean)
    assert len(waits) > 19_000
    assert sum(waits) / len(waits) == pytest.approx(wq, rel=0.15)
    assert sum(w > 0 for w in waits) / len(waits) == pytest.approx(p_wait, abs=0.03)
    assert totals(sim)["utilisation"] == pytest.approx(rho, abs=0.03)


def test_no_shows_are_recalled_then_marked():
    sim = simulate(small_center(), days=1, seed=4, options=Options(no_show=0.3))
    f = totals(sim)
    assert 0.2 < f["no_shows"] / f["called"] < 0.4
    recalled = {e["ticket"] for e in sim.events if e["type"] == "ticket_recalled"}
    missed = {e["ticket"] for e in sim.events if e["type"] == "ticket_no_show"}
    assert missed and missed <= recalled


def test_hall_simulate_prints_figures_and_writes_the_log(tmp_path):
    log = tmp_path / "day.jsonl"
    r = CliRunner().invoke(cli, ["simulate", "--center", "donghu-community", "--days", "2", "--seed", "3",
                                 "--log", str(log)])
    assert r.exit_code == 0, r.output
    assert "mean wait" in r.output and "p90 wait" in r.output and "no-shows" in r.output and "all days" in r.output
    events = read_log(log)
    assert events == simulate(district()["donghu-community"], days=2, seed=3).events


def test_hall_simulate_names_an_unknown_centre():
    r = CliRunner().invoke(cli, ["simulate", "--center", "nowhere"])
    assert r.exit_code == 2 and "nowhere" in r.output and "huanshi" in r.output


def test_hall_simulate_figures_and_the_managers_report_agree_on_the_same_log():
    """One read model: a day's wait, p90, service and counts are the same in both."""
    from hall.manage.reports import build, period_bounds
    c = district()["huanshi"]
    sim = simulate(c, days=2, seed=9)
    assert len(sim.days) == 2
    for day, f in sim.days:
        _, _, start, end = period_bounds("day", day, c["timezone"])
        t = build(sim.events, c, start, end)["totals"]
        assert t["issued"] == f["tickets"] > 300
        assert {k: t[k] for k in ("called", "served", "no_shows", "mean_wait_s", "p90_wait_s", "mean_service_s")} == \
            {k: f[k] for k in ("called", "served", "no_shows", "mean_wait_s", "p90_wait_s", "mean_service_s")}


def test_hall_simulate_store_writes_open_days_ending_yesterday_into_the_hall_store(tmp_path):
    from hall.store import open_store
    data = str(tmp_path / "data")
    # Monday 30 November on the hall's clock: donghu is shut on Sundays and opens Saturday mornings
    env = {"HALL_DATA_DIR": data, "HALL_REDIS_URL": "", "HALL_CLOCK_START": "2026-11-30T10:00:00+08:00"}
    r = CliRunner().invoke(cli, ["simulate", "--center", "donghu-community", "--days", "3", "--store", "--seed", "1"],
                           env=env)
    assert r.exit_code == 0, r.output
    store = open_store(data)
    try:
        events = store.read("donghu-community")
        assert events[0]["type"] == "center_configured" and store.streams() == ["donghu-community"]
        assert [e["day"] for e in events if e["type"] == "day_started"] == ["2026-11-26", "2026-11-27", "2026-11-28"]
        version = store.version("donghu-community")
        assert store.aggregate_mark("donghu-community")["seq"] == version
        assert store.load_snapshot("donghu-community")["version"] == version
    finally:
        store.close()
    again = CliRunner().invoke(cli, ["simulate", "--center", "donghu-community", "--days", "3", "--store"], env=env)
    assert again.exit_code == 2 and "already reaches" in again.output
