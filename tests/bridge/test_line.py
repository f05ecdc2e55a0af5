"""The bus master on a simulated line (pty pair, HQ-485 devices), with no hall behind it."""
import os
import time

from firmware_bridge.messages import Effect, Evaluation, Key, KeyPress
from tests.helpers import wait_until


def test_every_device_is_synced_reported_ok_and_shown_what_it_should(rig):
    r = rig()
    r.start_line()
    assert r.sim[3].wait_text("1号窗口 欢迎您") == "1号窗口 欢迎您"
    assert r.sim[1].wait_text("等候 3 人", zone=1)
    assert r.sim[4].wait_text("欢迎光临")
    wait_until(lambda: all(r.recorder.status_of(d.name) == "ok" for d in r.devices), what="all ok")
    assert r.sim[3].brightness == 10
    assert r.sim[4].effects[0] == Effect.SCROLL


def test_a_key_press_is_reported_once(rig):
    r = rig()
    r.start_line()
    r.sim[1].wait_text("等候", zone=1)
    assert r.sim[1].press("call-next")
    wait_until(lambda: r.recorder.events, what="the key")
    r.sim[1].wait_for(lambda d: d.outstanding is None and not d.events)
    assert r.recorder.events == [("keypad-1", KeyPress(Key.CALL_NEXT))]
    assert r.line.counters["duplicates"] == 0


def test_a_key_repeated_because_the_ack_was_lost_acts_once(rig):
    r = rig()
    r.start_line()
    r.sim[1].wait_text("等候", zone=1)
    r.sim.drop_acks(1, 2)            # the keypad misses two ACKs and reports the same press three times
    r.sim[1].press("recall")
    r.sim[1].wait_for(lambda d: d.outstanding is None and d.reports >= 3)
    assert r.recorder.events == [("keypad-1", KeyPress(Key.RECALL))]
    assert r.line.counters["duplicates"] >= 2


def test_a_frame_that_arrives_twice_acts_once(rig):
    r = rig()
    r.start_line()
    r.sim[1].wait_text("等候", zone=1)
    r.sim.duplicate_replies(3, address=1)
    r.sim[1].press("start")
    r.sim[1].press("finish")
    wait_until(lambda: len(r.recorder.events) == 2, what="both keys")
    r.sim[1].wait_for(lambda d: d.outstanding is None and not d.events)
    time.sleep(0.1)                  # the repeats are on the wire by now: they must not count again
    assert [b.key for _, b in r.recorder.events] == [Key.START, Key.FINISH]
    assert r.line.counters["stray"] + r.line.counters["duplicates"] >= 1


def test_crc_corrupted_answers_are_dropped_counted_and_the_press_still_arrives_once(rig):
    r = rig()
    r.start_line()
    r.sim[1].wait_text("等候", zone=1)
    r.sim.corrupt_replies(2, address=1)
    r.sim[1].press("no-show")
    wait_until(lambda: r.recorder.events, what="the key")
    r.sim[1].wait_for(lambda d: d.outstanding is None)
    assert r.recorder.events == [("keypad-1", KeyPress(Key.NO_SHOW))]
    assert r.line.stats()["crc_errors"] >= 2
    assert r.recorder.status_of("keypad-1") == "ok"      # two misses are not three


def test_garbage_on_the_line_is_dropped_and_the_devices_stay_online(rig):
    r = rig()
    r.start_line()
    r.sim[3].wait_text("欢迎您")
    for _ in range(20):
        r.sim.inject(os.urandom(13) + b"\xa5\x03\x01")
        time.sleep(0.01)
    r.sim[1].press("pause")
    wait_until(lambda: r.recorder.events, what="the key")
    stats = r.line.stats()
    assert stats["dropped_bytes"] > 0
    assert stats["offline"] == []
    assert r.recorder.events == [("keypad-1", KeyPress(Key.PAUSE))]


def test_a_silent_device_is_reported_offline_and_back_online_with_its_display(rig):
    r = rig()
    r.start_line()
    r.sim[3].wait_text("欢迎您")
    r.sim[3].power_off()
    wait_until(lambda: r.recorder.status_of("led-1") == "offline", what="offline")
    assert r.line.stats()["offline"] == ["led-1"]
    r.sim[3].power_on()                          # a restarted LED is blank
    assert r.sim[3].text == ""
    wait_until(lambda: r.recorder.status_of("led-1") == "ok", what="back")
    assert r.sim[3].wait_text("1号窗口 欢迎您")
    assert r.recorder.statuses.count(("keypad-1", "offline")) == 0


def test_an_unplugged_port_is_reopened_and_the_devices_resynced(rig):
    r = rig()
    r.start_line()
    r.sim[3].wait_text("欢迎您")
    syncs = r.line.counters["syncs"]
    r.sim.unplug()
    wait_until(lambda: r.line.counters["port_errors"] >= 1, what="the port error")
    r.sim.replug()
    wait_until(lambda: r.line.counters["opens"] == 2, what="the port reopened")
    wait_until(lambda: r.line.counters["syncs"] >= syncs + 4, what="every device synced again")
    r.sim[1].press("resume")
    wait_until(lambda: r.recorder.events == [("keypad-1", KeyPress(Key.RESUME))], what="the key")


def test_a_port_away_too_long_reports_its_devices_offline(rig):
    r = rig(port_down_offline_s=0.2)
    r.start_line()
    r.sim[3].wait_text("欢迎您")
    r.sim.unplug()
    wait_until(lambda: all(r.recorder.status_of(d.name) == "offline" for d in r.devices), what="all offline")
    r.sim.replug()
    wait_until(lambda: all(r.recorder.status_of(d.name) == "ok" for d in r.devices), what="all back")


def test_a_key_press_nobody_reports_in_time_is_dropped_not_acted_on_late(rig):
    r = rig()
    r.sim[1].key_expiry_s = 0.3
    line = r.start_line()
    r.sim[1].wait_text("等候", zone=1)
    line.stop()                          # the bridge restarts…
    assert r.sim[1].press("call-next")   # …the keypad, still in its session, takes the press
    time.sleep(0.4)                      # and nobody asks for it in time
    r.line = r.start_line()
    wait_until(lambda: r.line.counters["syncs"] >= 4, what="the new session")
    r.sim[1].wait_for(lambda d: d.expired == 1 and d.outstanding is None and not d.events)
    assert r.recorder.events == []


def test_a_key_press_made_while_the_bridge_restarts_is_acted_on_once(rig):
    r = rig()
    line = r.start_line()
    r.sim[1].wait_text("等候", zone=1)
    line.stop()
    assert r.sim[1].press("call-next")
    r.line = r.start_line()
    wait_until(lambda: r.recorder.events == [("keypad-1", KeyPress(Key.CALL_NEXT))], what="the key")


def test_a_key_the_old_session_may_have_acted_on_is_not_reported_again(rig):
    r = rig()
    line = r.start_line()
    r.sim[1].wait_text("等候", zone=1)
    r.sim.drop_acks(1, 1000)             # the ACK never gets through: the key stays outstanding
    r.sim[1].press("finish")
    wait_until(lambda: r.recorder.events, what="the key, once")
    line.stop()
    first = r.recorder.events[:]
    r.recorder.events.clear()
    r.line = r.start_line()
    wait_until(lambda: r.line.counters["syncs"] >= 4, what="the new session")
    r.sim[1].wait_for(lambda d: d.outstanding is None and not d.events)
    assert first == [("keypad-1", KeyPress(Key.FINISH))] and r.recorder.events == []


def test_a_keypad_nobody_polls_refuses_keys_and_says_so(rig):
    r = rig()
    r.sim[1].watchdog_s = 0.3
    r.start_line()
    r.sim[1].wait_text("等候", zone=1)
    r.sim.unplug()
    assert r.sim[1].wait_text("系统离线", zone=1)
    assert not r.sim[1].press("call-next")
    r.sim.replug()
    r.sim[1].wait_text("等候", zone=1)
    assert r.sim[1].press("call-next")
    wait_until(lambda: r.recorder.events == [("keypad-1", KeyPress(Key.CALL_NEXT))], what="the key")


def test_an_evaluation_not_kept_is_not_acknowledged_and_comes_again(rig):
    r = rig()
    r.start_line()
    r.sim[1].wait_text("等候", zone=1)
    ev = r.device("evaluator-1")
    ev.prompt_for("east.t1", "A001")
    r.line.wake()
    r.sim[2].wait_for(lambda d: d.prompt)
    r.recorder.accept = False        # e.g. the disk is full
    pid = r.sim[2].prompt[0]
    r.sim[2].press(4)
    wait_until(lambda: r.line.counters["refused_events"] >= 2, what="refusals")
    r.recorder.accept = True
    wait_until(lambda: r.recorder.events, what="the evaluation")
    r.sim[2].wait_for(lambda d: d.outstanding is None)
    assert r.recorder.events == [("evaluator-1", Evaluation(pid, 4))]


def test_the_window_led_goes_before_the_bar(rig):
    r = rig(baud=9600)
    r.start_line()
    r.sim[4].wait_text("欢迎光临")
    r.sim[3].wait_text("欢迎您")
    t0 = time.monotonic()
    r.view.apply_call({"seq": 2, "ticket": "A001", "window": 1, "window_name": "1号窗口"})
    r.line.wake()
    r.sim[4].wait_text("A001")
    assert r.sim[3].shown_at("A001 请到1号窗口", after=t0) < r.sim[4].shown_at("A001", after=t0)


def test_a_recall_flashes_the_same_text_again(rig):
    r = rig()
    r.start_line()
    r.sim[3].wait_text("欢迎您")
    r.view.apply_call({"seq": 2, "ticket": "A001", "window": 1, "window_name": "1号窗口"})
    r.line.wake()
    r.sim[3].wait_text("A001")
    t0 = time.monotonic()
    r.view.apply_call({"seq": 3, "ticket": "A001", "window": 1, "window_name": "1号窗口", "recall": True})
    r.line.wake()
    r.sim[3].wait_for(lambda d: d.shown_at("A001", after=t0))
    assert r.sim[3].effects[0] == Effect.FLASH
