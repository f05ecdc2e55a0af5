"""The 好差评 rules as the standard counts them: a service rated on several channels counts once (its
lowest score), the return visit (回访) of a 差评 put right, the deadline in working days of the official
calendar, and the report's 好评率, 差评整改率 and 回访率 from the events."""
import pytest

from hall import catalog
from hall.core import Refused
from hall.core.config import normalize_center
from hall.core.ratings import counting, mask_personal
from hall.manage.reports import build, period_bounds
from tests.helpers import Clock, at, small_center
from .harness import Core

ZHANG = {"username": "zhang", "name": "张敏", "staff_no": "01007"}


@pytest.fixture
def clock():
    return Clock("2026-11-26 09:00")        # a Thursday


def official(**extra):
    return catalog.parse({"centers": [small_center(**extra)]})[0]


@pytest.fixture
def core(clock):
    return Core(official(norms={"followup_days": 3}), clock)


def served(core, window=1):
    t = core.issue("general")
    if core.state.windows[window].state != "open":
        core.run("open", window=window, staff=ZHANG)
    core.run("call-next", window=window)
    core.run("finish", window=window)
    return t


def refused(core, command, **args):
    with pytest.raises(Refused) as e:
        core.run(command, **args)
    return e.value.status, e.value.code


def day_report(core, day="2026-11-26", period="day"):
    cfg = core.state.config
    _, _, start, end = period_bounds(period, day, cfg.timezone)
    return build(core.log, normalize_center(cfg.raw), start, end, opening=cfg.hours)


@pytest.mark.parametrize("rated, score, result", [
    ({}, 4, (True, None)),
    ({"evaluator": 4}, 5, (False, None)),        # not lower: the 4 keeps counting
    ({"evaluator": 4}, 4, (False, None)),
    ({"evaluator": 4}, 2, (True, 4)),            # lower: replaces the 4
    ({"evaluator": 4, "phone": 2}, 1, (True, 2)),
])
def test_the_lowest_score_of_a_service_counts(rated, score, result):
    assert counting(rated, score) == result


def test_a_service_rated_on_three_channels_counts_once(core):
    t = served(core)
    core.run("evaluate", ticket=t.id, score=5, channel="evaluator")
    core.run("evaluate", ticket=t.id, score=4, channel="kiosk")
    core.run("evaluate", ticket=t.id, score=5, channel="phone")
    u = served(core)
    core.run("evaluate", ticket=u.id, score=3, channel="phone")
    totals = day_report(core)["totals"]
    # two services rated, once each: t at its lowest (4), u with 3 — not five ratings
    assert (totals["served"], totals["rated"], totals["mean_score"], totals["satisfaction"]) == (2, 2, 3.5, 1.0)
    assert [e.get("counts") for e in core.log if e["type"] == "ticket_evaluated"] == [True, True, False, True]


def test_a_complaint_after_a_good_rating_counts_as_the_services_rating(core):
    t = served(core)
    core.run("evaluate", ticket=t.id, score=5, channel="evaluator")
    core.run("evaluate", ticket=t.id, score=2, channel="phone", options=["many_trips"])
    r = day_report(core)
    assert (r["totals"]["rated"], r["totals"]["bad_ratings"], r["totals"]["followups"]) == (1, 1, 1)
    assert r["totals"]["satisfaction"] == 0.0
    [staff] = r["staff"]
    assert (staff["username"], staff["rated"], staff["mean_score"]) == ("zhang", 1, 2.0)


def bad(core, score=2):
    t = served(core)
    core.run("evaluate", ticket=t.id, score=score, options=["inefficient"])
    return f"fu-{t.id}"


def test_a_return_visit_follows_the_rectification(core, clock):
    fu = bad(core)
    note = "已电话回访，群众表示满意"
    assert refused(core, "followup-revisit", followup=fu, note=note, result="satisfied") == (409, "followup_open")
    core.run("followup-verify", followup=fu, note="属实")
    assert refused(core, "followup-revisit", followup=fu, note=note, result="satisfied") == (409, "followup_verified")
    clock.advance(3600)
    core.run("followup-rectify", followup=fu, note="已培训窗口人员")
    f = core.state.followups[fu]
    assert f["rectified_at"] == at("2026-11-26 10:00") and f["revisit"] is None
    assert refused(core, "followup-revisit", followup=fu, note=note, result="happy") == (400, "bad_input")
    assert refused(core, "followup-revisit", followup=fu, note="", result="satisfied") == (400, "bad_input")
    assert refused(core, "followup-revisit", followup=fu, note="x" * 501, result="satisfied") == (400, "bad_input")
    assert refused(core, "followup-revisit", followup="fu-nobody", note=note, result="satisfied") == \
        (404, "unknown_followup")
    clock.advance(3600)
    core.run("followup-revisit", followup=fu, note="回访13812345678，满意", result="satisfied")
    f = core.state.followups[fu]
    assert f["revisit"] == {"at": at("2026-11-26 11:00"), "by": "test", "result": "satisfied",
                            "note": "回访138****5678，满意"}
    assert "13812345678" not in str(core.log)
    assert refused(core, "followup-revisit", followup=fu, note=note, result="unsatisfied") == \
        (409, "already_revisited")
    # the loop goes on to its reply; the visit stays
    core.run("followup-reply", followup=fu, note="已答复")
    f = core.state.followups[fu]
    assert f["status"] == "closed" and f["revisit"]["result"] == "satisfied"


def test_no_return_visit_of_an_overturned_rating(core):
    fu = bad(core)
    core.run("followup-verify", followup=fu, note="核实")
    core.run("followup-appeal", followup=fu, note="群众误评")
    core.run("followup-review", followup=fu, note="撤销", outcome="overturned")
    assert refused(core, "followup-revisit", followup=fu, note="回访", result="satisfied") == \
        (409, "followup_overturned")


def test_the_rates_of_the_standard(core, clock):
    """Four 差评 on the Thursday (deadline: 3 working days, end of Monday 30 Nov):
    one rectified in time and visited (satisfied), one rectified in time, visited, unsatisfied, one
    rectified late, one overturned on appeal (out of every figure); plus a 5 and a 3."""
    on_time, unhappy, late, overturned = (bad(core, s) for s in (2, 1, 2, 1))
    for score in (5, 3):
        core.run("evaluate", ticket=served(core).id, score=score)
    for fu in (on_time, unhappy, late, overturned):
        core.run("followup-verify", followup=fu, note="属实")
    clock.set("2026-11-30 16:00")             # Monday, before the deadline
    for fu in (on_time, unhappy):
        core.run("followup-rectify", followup=fu, note="已整改")
    core.run("followup-revisit", followup=on_time, note="满意", result="satisfied")
    core.run("followup-revisit", followup=unhappy, note="仍不满意", result="unsatisfied")
    core.run("followup-appeal", followup=overturned, note="误评")
    core.run("followup-review", followup=overturned, note="撤销", outcome="overturned")
    clock.set("2026-12-01 09:00")             # Tuesday: past the deadline
    core.run("followup-rectify", followup=late, note="迟到的整改")
    t = day_report(core)["totals"]
    assert (t["rated"], t["bad_ratings"], t["followups"]) == (5, 3, 3)
    assert t["satisfaction"] == 0.4                     # 5 and 3 of five services rated
    assert (t["rectified_on_time"], t["rectification_rate"]) == (2, 0.6667)
    assert (t["revisited"], t["revisit_rate"], t["revisit_satisfaction"]) == (2, 0.6667, 0.5)
    [w] = day_report(core)["windows"]
    assert (w["number"], w["followups"], w["rectification_rate"], w["revisit_rate"]) == (1, 3, 0.6667, 0.6667)


def test_an_unfounded_complaint_answered_in_time_is_settled(core):
    fu = bad(core)
    core.run("followup-verify", followup=fu, note="查看录像，不属实", finding="unfounded")
    core.run("followup-reply", followup=fu, note="已向群众说明")
    t = day_report(core)["totals"]
    assert (t["followups"], t["rectified_on_time"], t["rectification_rate"]) == (1, 1, 1.0)


def test_the_deadline_counts_working_days_of_the_official_calendar(clock):
    """Rated on the eve of National Day: 1–7 October are holidays, Thursday 8 and Friday 9 work, and
    Saturday 10 is a make-up working day: three working days end with Saturday 10 October."""
    clock.set("2026-09-30 10:00")
    core = Core(official(norms={"followup_days": 3}), clock)
    fu = bad(core)
    assert core.state.followups[fu]["deadline"] == at("2026-10-11 00:00")
    plain = Core(official(calendar="none", norms={"followup_days": 3}), clock)
    fu = bad(plain)
    # the week alone: Thu 1, Fri 2, Sat 3 (Saturday mornings open) → end of Saturday 3 October
    assert plain.state.followups[fu]["deadline"] == at("2026-10-04 00:00")


def test_reports_mark_closed_days_and_leave_them_out_of_the_daily_means(clock):
    clock.set("2026-09-28 10:00")             # Monday; the week holds National Day (Thu 1 Oct on)
    core = Core(official(), clock)
    for day in ("2026-09-28 10:00", "2026-09-29 10:00", "2026-09-30 10:00"):
        clock.set(day)
        served(core)
    r = day_report(core, "2026-09-28", "week")
    assert r["closed_days"] == [{"day": d, "holiday": "国庆节"} for d in
                                ("2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04")]
    assert [d["day"] for d in r["days"]] == ["2026-09-28", "2026-09-29", "2026-09-30"]
    # Mon–Wed open, Thu–Sun closed: 3 open days, not 7
    assert (r["totals"]["open_days"], r["totals"]["served_per_open_day"]) == (3, 1.0)


def test_personal_data_in_free_text_is_masked():
    text = "身份证440106199001011234，手机 13812345678，座机 020-83331234，卡号 6222020200112233445"
    masked = mask_personal(text)
    assert masked == "身份证440106********1234，手机 138****5678，座机 020-******34，卡号 *****************45"
    assert mask_personal(None) is None and mask_personal("态度很好") == "态度很好"


def test_a_year_the_calendar_does_not_cover_is_said_in_simulations_and_reports(clock):
    """2027's schedule is not in the pinned package: New Year's Day 2027 (a Friday) is simulated as an
    ordinary Friday, and both the simulator and the report say so rather than guess in silence."""
    from datetime import date
    from hall.core.config import CenterConfig
    from hall.sim.run import report_lines, simulate
    c = official()
    sim = simulate(c, days=3, seed=1, first_day=date(2026, 12, 31))
    assert [d for d, _ in sim.days] == ["2026-12-31", "2027-01-01", "2027-01-02"]
    assert sim.calendar_uncovered == [2027]
    assert "does not cover 2027" in report_lines(sim)[-1] and "Upgrade chinese-calendar" in report_lines(sim)[-1]
    covered = simulate(c, days=2, seed=1, first_day=date(2026, 9, 30))
    # the eve of National Day, then Thursday 8 October: the week off is skipped
    assert [d for d, _ in covered.days] == ["2026-09-30", "2026-10-08"] and covered.calendar_uncovered == []
    # the make-up Saturday 10 October is worked with the weekday hours (the afternoon too); Sunday is not
    makeup = simulate(c, days=2, seed=1, first_day=date(2026, 10, 10))
    assert [d for d, _ in makeup.days] == ["2026-10-10", "2026-10-12"]
    assert any(e["type"] == "ticket_issued" and at("2026-10-10 13:30") <= e["at"] < at("2026-10-10 17:30")
               for e in makeup.events)
    hours = CenterConfig.from_dict(c).hours
    _, _, start, end = period_bounds("month", "2027-01-15", "Asia/Shanghai")
    r = build([], normalize_center(c), start, end, opening=hours)
    assert r["calendar_uncovered"] == [2027]
    assert "2027-01-01" not in {d["day"] for d in r["closed_days"]}       # unknown, so not marked closed
