"""好差评: a bad rating opens a follow-up with a deadline in the same decision; the loop verify →
rectify → reply, appeal → review; overdue follow-ups are flagged; follow-ups outlive their day."""
import pytest

from hall.core import Refused
from tests.core.harness import Core
from tests.helpers import Clock, at, small_center


@pytest.fixture
def clock():
    return Clock("2026-11-26 09:00")        # a Thursday


@pytest.fixture
def core(clock):
    c = small_center()
    c["norms"] = {"followup_days": 3}
    return Core(c, clock)


def served(core, window=1):
    t = core.issue("general")
    if core.state.windows[window].state != "open":
        core.run("open", window=window, staff={"username": "zhang", "name": "张敏", "staff_no": "01007"})
    core.run("call-next", window=window)
    core.run("start", window=window)
    core.run("finish", window=window)
    return t


def test_a_rating_of_3_or_more_opens_nothing(core):
    t = served(core)
    core.run("evaluate", ticket=t.id, score=3)
    assert core.state.followups == {}


def test_a_bad_rating_opens_a_follow_up_in_the_same_decision(core, clock):
    t = served(core)
    n = len(core.log)
    core.run("evaluate", ticket=t.id, score=1, options=["inefficient"], comment="态度差")
    assert [e["type"] for e in core.log[n:]] == ["ticket_evaluated", "followup_opened"]
    [f] = core.state.followups.values()
    assert (f["number"], f["score"], f["comment"], f["window"], f["staff"], f["staff_name"], f["status"]) == \
        ("A001", 1, "态度差", 1, "zhang", "张敏", "open")
    # 3 working days after Thursday: Fri, Sat (the centre opens Saturday mornings), Mon → end of Monday
    assert f["deadline"] == at("2026-12-01 00:00")


def test_the_deadline_skips_days_the_centre_is_closed(clock):
    c = small_center(hours={"mon-fri": ["08:30-17:30"]})
    c["norms"] = {"followup_days": 3}
    core = Core(c, clock)
    t = served(core)
    core.run("evaluate", ticket=t.id, score=2, options=["inefficient"])
    [f] = core.state.followups.values()
    assert f["deadline"] == at("2026-12-02 00:00")          # Fri, Mon, Tue → end of Tuesday


def test_the_whole_loop_closes_it(core, clock):
    t = served(core)
    core.run("evaluate", ticket=t.id, score=2, options=["inefficient"])
    fid = next(iter(core.state.followups))
    core.run("followup-verify", followup=fid, note="调阅录像，属实", finding="confirmed")
    with pytest.raises(Refused) as e:
        core.run("followup-reply", followup=fid, note="已回复")
    assert e.value.code == "followup_not_rectified"
    core.run("followup-rectify", followup=fid, note="窗口人员已培训")
    core.run("followup-reply", followup=fid, note="已电话回访群众")
    f = core.state.followups[fid]
    assert f["status"] == "closed" and f["closed_at"] == clock.now
    assert [h["step"] for h in f["history"]] == ["opened", "verified", "rectified", "replied"]


def test_steps_out_of_order_are_refused(core):
    t = served(core)
    core.run("evaluate", ticket=t.id, score=2, options=["inefficient"])
    fid = next(iter(core.state.followups))
    for step in ("followup-rectify", "followup-reply", "followup-appeal"):
        with pytest.raises(Refused) as e:
            core.run(step, followup=fid, note="x")
        assert e.value.status == 409
    with pytest.raises(Refused) as e:
        core.run("followup-verify", followup=fid, note="")
    assert e.value.status == 400
    with pytest.raises(Refused) as e:
        core.run("followup-verify", followup="nope", note="x")
    assert e.value.status == 404


def test_an_appeal_overturned_closes_it_and_marks_the_rating(core):
    t = served(core)
    core.run("evaluate", ticket=t.id, score=1, options=["inefficient"])
    fid = next(iter(core.state.followups))
    core.run("followup-verify", followup=fid, note="与办理无关", finding="unfounded")
    core.run("followup-appeal", followup=fid, note="评价与服务无关，申请剔除")
    assert core.state.followups[fid]["status"] == "appealed"
    core.run("followup-review", followup=fid, note="同意剔除", outcome="overturned")
    f = core.state.followups[fid]
    assert f["status"] == "closed" and f["overturned"] is True


def test_an_appeal_upheld_goes_back_to_the_loop(core):
    t = served(core)
    core.run("evaluate", ticket=t.id, score=2, options=["inefficient"])
    fid = next(iter(core.state.followups))
    core.run("followup-verify", followup=fid, note="属实", finding="confirmed")
    core.run("followup-appeal", followup=fid, note="申诉")
    core.run("followup-review", followup=fid, note="维持差评", outcome="upheld")
    assert core.state.followups[fid]["status"] == "verified"
    core.run("followup-rectify", followup=fid, note="整改")
    core.run("followup-reply", followup=fid, note="反馈")
    assert core.state.followups[fid]["status"] == "closed"


def test_an_open_follow_up_raises_a_bad_rating_alert_until_verified(core):
    t = served(core)
    core.run("evaluate", ticket=t.id, score=1, options=["inefficient"])
    core.run("supervise")
    [a] = core.state.alerts.values()
    assert (a["rule"], a["level"], a["number"]) == ("bad_rating", "red", "A001")
    core.run("followup-verify", followup=a["followup"], note="属实")
    core.run("supervise")
    assert core.state.alerts == {}


def test_an_overdue_follow_up_is_flagged_and_outlives_its_day(core, clock):
    t = served(core)
    core.run("evaluate", ticket=t.id, score=2, options=["inefficient"])
    fid = next(iter(core.state.followups))
    core.run("followup-verify", followup=fid, note="属实")
    clock.set("2026-11-30 23:59")
    core.run("supervise")
    assert core.state.alerts == {}
    clock.set("2026-12-01 09:00")           # past the deadline, a new day: tickets are gone, the follow-up stays
    core.run("supervise")
    [a] = core.state.alerts.values()
    assert a["rule"] == "followup_overdue" and a["followup"] == fid and core.state.tickets == {}
    core.run("followup-rectify", followup=fid, note="整改")
    core.run("followup-reply", followup=fid, note="反馈")
    core.run("supervise")
    assert core.state.alerts == {}


def test_closed_follow_ups_are_forgotten_a_month_later(core, clock):
    t = served(core)
    core.run("evaluate", ticket=t.id, score=2, options=["inefficient"])
    fid = next(iter(core.state.followups))
    core.run("followup-verify", followup=fid, note="不属实", finding="unfounded")
    core.run("followup-reply", followup=fid, note="已解释")
    clock.set("2026-12-20 09:00")
    core.run("supervise")
    assert fid in core.state.followups
    clock.set("2026-12-28 09:00")
    core.run("supervise")
    assert fid not in core.state.followups
