"""What the displays say, from the hall's views (contract shapes)."""
import pytest

from firmware_bridge import render


def window(**kw):
    return {"number": 1, "name": "1号窗口", "state": "open", "ticket": None, "ticket_status": None,
            "queues": ["general"], **kw}


@pytest.mark.parametrize("w, text", [
    (window(ticket="A001", ticket_status="called"), "A001 请到1号窗口"),
    (window(ticket="A001", ticket_status="serving"), "A001 正在办理"),
    (window(), "1号窗口 欢迎您"),
    (window(state="paused"), "1号窗口 暂停服务"),
    (window(state="closed"), "1号窗口 暂停服务"),
    (None, ""),
])
def test_the_window_led(w, text):
    assert render.led_text(w) == text


def test_the_window_led_texts_can_be_changed():
    texts = {**render.TEXTS, "called": "请{ticket}号到{window}办理"}
    assert render.led_text(window(ticket="B002", ticket_status="called"), texts) == "请B002号到1号窗口办理"


def test_the_bar_scrolls_the_latest_calls_newest_first():
    calls = [{"ticket": f"A00{i}", "window": i, "window_name": f"{i}号窗口"} for i in range(6, 0, -1)]
    assert render.bar_text(calls) == "请A006号到6号窗口  请A005号到5号窗口  请A004号到4号窗口  请A003号到3号窗口"
    assert render.bar_text([]) == render.TEXTS["bar_idle"]


@pytest.mark.parametrize("w, waiting, online, message, lines", [
    (window(ticket="A001", ticket_status="called"), 4, True, None, ("A001 已呼叫", "等候 4 人")),
    (window(ticket="A001", ticket_status="serving"), 0, True, "开始办理 A001", ("A001 办理中", "开始办理 A001")),
    (window(state="paused"), 2, False, None, ("暂停中", "系统离线")),
    (window(state="closed"), 2, True, None, ("未开窗", "等候 2 人")),
])
def test_the_keypad_lines(w, waiting, online, message, lines):
    assert render.keypad_lines(w, waiting, online, message) == lines


@pytest.mark.parametrize("action, status, data, said", [
    ("call-next", 200, {"number": "A001", "status": "called"}, "已呼叫 A001"),
    ("call-next", 204, None, "无人等候"),
    ("recall", 200, {"number": "A001", "status": "no_show"}, "A001 已过号"),
    ("transfer", 200, {"number": "A001", "queue_name": "税务"}, "A001 已转税务"),
    ("pause", 200, {"number": 1, "state": "paused"}, "已暂停"),
    ("call-next", 409, {"error": {"code": "window_closed", "message": "…"}}, "窗口未开"),
    ("start", 409, {"error": {"code": "no_ticket", "message": "…"}}, "当前无号"),
    ("finish", 409, {"error": {"code": "something_new", "message": "…"}}, "操作失败"),
    ("finish", 401, {"error": {"code": "unauthorized", "message": "…"}}, "认证失败"),
    ("finish", 503, None, "系统故障"),
])
def test_the_keypad_answers_a_key_in_a_few_characters(action, status, data, said):
    assert render.answer(action, status, data) == said
