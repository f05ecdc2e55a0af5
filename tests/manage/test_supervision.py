"""电子监察 rules on simulated time: each alert raises after its threshold and not before, escalates,
resolves when its cause clears, and stays across days until then."""
import pytest

from hall.core import Refused
from tests.core.harness import Core
from tests.helpers import Clock, small_center


def centre(**norms):
    c = small_center()
    if norms:
        c["norms"] = norms
    return c


@pytest.fixture
def clock():
    return Clock("2026-11-26 09:00")


@pytest.fixture
def core(clock):
    return Core(centre(max_idle_s=120, max_wait_s=600, escalate_after_s=900, max_pause_s=600), clock)


def supervise(core):
    core.run("supervise")
    return {a["key"]: a for a in core.state.alerts.values()}


def test_a_window_idle_while_its_queue_waits_raises_after_the_threshold_not_before(core, clock):
    core.open(3)                           # window 3 serves police only
    clock.advance(600)                     # idle, but nobody waits: no alert
    assert supervise(core) == {}
    core.issue("police")
    clock.advance(119)
    assert "idle:w:3" not in supervise(core)
    clock.advance(1)
    alert = supervise(core)["idle:w:3"]
    assert (alert["rule"], alert["level"], alert["window"]) == ("idle", "yellow", 3)
    assert (alert["value"], alert["limit"]) == (120, 120)
    core.run("call-next", window=3)
    core.run("supervise")
    assert core.log[-1]["type"] == "alert_resolved" and core.log[-1]["reason"] == "cleared"
    assert core.state.alerts == {}


def test_idle_counts_from_when_the_window_became_free(core, clock):
    core.open(3)
    core.issue("police")
    core.issue("police")
    core.run("call-next", window=3)
    core.run("start", window=3)
    clock.advance(300)                     # the second ticket has waited 300 s, but the window was busy
    core.run("finish", window=3)
    clock.advance(119)
    assert "idle:w:3" not in supervise(core)
    clock.advance(1)
    assert supervise(core)["idle:w:3"]["value"] == 120


def test_a_newly_assigned_window_is_not_idle_at_once(core, clock):
    core.open(3)
    core.issue("general")
    clock.advance(600)
    core.run("assign", window=3, queues=["general"])
    clock.advance(60)
    assert "idle:w:3" not in supervise(core)
    clock.advance(60)
    assert "idle:w:3" in supervise(core)


def test_a_long_wait_goes_yellow_then_red(core, clock):
    core.issue("tax")                      # no window open for tax
    clock.advance(599)
    assert supervise(core) == {}
    clock.advance(1)
    a = supervise(core)["wait:q:tax"]
    assert (a["level"], a["number"], a["limit"]) == ("yellow", "C001", 600)
    clock.advance(599)                     # 1199 s: below twice the norm, and raised 599 s ago
    assert supervise(core)["wait:q:tax"]["level"] == "yellow"
    clock.advance(1)
    a = supervise(core)["wait:q:tax"]
    assert a["level"] == "red" and core.log[-1]["reason"] == "threshold"


def test_an_unresolved_yellow_escalates_after_escalate_after_s(clock):
    core = Core(centre(max_service_s=300, escalate_after_s=900), clock)
    core.open(1)
    core.issue("general")
    core.run("call-next", window=1)
    core.run("start", window=1)
    clock.advance(300)
    assert supervise(core)["service:w:1"]["level"] == "yellow"
    clock.advance(899)
    assert supervise(core)["service:w:1"]["level"] == "yellow"
    clock.advance(1)
    assert supervise(core)["service:w:1"]["level"] == "red"
    assert core.log[-1]["type"] == "alert_escalated" and core.log[-1]["reason"] == "unresolved"
    core.run("finish", window=1)
    assert supervise(core) == {}


def test_service_norm_defaults_to_twice_the_queue_time(clock):
    core = Core(centre(), clock)            # general: service_s 300 → late at 600 s
    core.open(1)
    core.issue("general")
    core.run("call-next", window=1)
    clock.advance(599)
    assert supervise(core) == {}
    clock.advance(1)
    assert supervise(core)["service:w:1"]["limit"] == 600


def test_queue_norms_override_the_centre(clock):
    c = centre(max_wait_s=600)
    c["queues"][2]["norms"] = {"max_wait_s": 60, "max_length": 2}
    core = Core(c, clock)
    core.issue("tax")
    core.issue("general")
    clock.advance(60)
    alerts = supervise(core)
    assert "wait:q:tax" in alerts and "wait:q:general" not in alerts
    core.issue("tax")
    alerts = supervise(core)
    assert alerts["length:q:tax"]["value"] == 2


def test_a_pause_too_long(core, clock):
    core.open(1)
    core.run("pause", window=1, reason="会议")
    clock.advance(599)
    assert supervise(core) == {}
    clock.advance(1)
    assert supervise(core)["pause:w:1"]["window"] == 1
    core.run("resume", window=1)
    assert supervise(core) == {}


def test_waits_do_not_raise_while_the_centre_is_closed(core, clock):
    core.issue("tax")
    clock.set("2026-11-26 12:05")          # lunch: closed 12:00–13:30
    assert supervise(core) == {}
    clock.set("2026-11-26 13:30")
    assert supervise(core)["wait:q:tax"]["level"] == "red"


def test_device_fault_and_offline_raise_and_clear(core, clock):
    core.run("report-device", device="kiosk-1", kind="kiosk", status="fault", detail="缺纸")
    core.run("report-device", device="bridge-1", kind="bridge", status="offline")
    alerts = supervise(core)
    assert alerts["device_fault:d:kiosk-1"]["level"] == "red"
    assert alerts["device_offline:d:bridge-1"]["level"] == "yellow"
    core.run("report-device", device="kiosk-1", kind="kiosk", status="ok")
    assert set(supervise(core)) == {"device_offline:d:bridge-1"}


def test_acknowledge_records_who_and_keeps_the_alert(core, clock):
    core.run("report-device", device="kiosk-1", kind="kiosk", status="fault")
    [a] = supervise(core).values()
    core.run("acknowledge-alert", alert=a["id"], note="已通知厂家")
    a = core.state.alerts[a["id"]]
    assert a["acknowledged_by"] == "test" and a["note"] == "已通知厂家" and a["acknowledged_at"] == clock.now


def test_a_condition_alert_cannot_be_resolved_by_hand_while_it_holds(core, clock):
    core.issue("tax")
    clock.advance(600)
    [a] = supervise(core).values()
    with pytest.raises(Refused) as e:
        core.run("resolve-alert", alert=a["id"])
    assert e.value.code == "alert_still_holds" and e.value.status == 409


def test_a_manual_alert_resolved_by_hand_is_not_raised_again_for_the_same_cause(core, clock):
    core.run("report-device", device="kiosk-1", kind="kiosk", status="offline")
    [a] = supervise(core).values()
    core.run("resolve-alert", alert=a["id"], note="设备已撤走")
    assert supervise(core) == {}
    clock.advance(60)
    core.run("report-device", device="kiosk-1", kind="kiosk", status="fault")
    assert "device_fault:d:kiosk-1" in supervise(core)


def test_alerts_persist_across_days_until_resolved(core, clock):
    core.run("report-device", device="kiosk-1", kind="kiosk", status="fault")
    supervise(core)
    clock.set("2026-11-27 09:00")
    assert "device_fault:d:kiosk-1" in supervise(core)       # the new day started, the fault stays
    assert core.state.day == "2026-11-27"


def test_supervising_twice_adds_nothing(core, clock):
    core.issue("tax")
    clock.advance(600)
    core.run("supervise")
    n = len(core.log)
    core.run("supervise")
    assert len(core.log) == n


def test_alert_ids_are_unique(core, clock):
    for name in ("a", "b", "c"):
        core.run("report-device", device=name, kind="kiosk", status="fault")
    ids = list(supervise(core))
    assert len({core.state.alerts[a]["id"] for a in core.state.alerts}) == 3 and len(ids) == 3
