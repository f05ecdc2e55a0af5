"""What each device shows, as pure functions of the hall's views (the contract's JSON shapes)."""

TEXTS = {
    "called": "{ticket} 请到{window}",        # the window LED when a ticket is called there
    "serving": "{ticket} 正在办理",
    "idle": "{window} 欢迎您",                # open, no one at the window
    "paused": "{window} 暂停服务",
    "closed": "{window} 暂停服务",
    "bar_call": "请{ticket}号到{window}",      # one call on the scrolling bar
    "bar_idle": "欢迎光临 请取号等候",
    "prompt": "请对{ticket}号的服务进行评价",   # the evaluator's prompt
}

BAR_CALLS = 4                 # a bar scrolls this many of the latest calls
OFFLINE = "系统离线"

KEYPAD_STATE = {"called": "{ticket} 已呼叫", "serving": "{ticket} 办理中"}
KEYPAD_WINDOW = {"open": "空闲", "paused": "暂停中", "closed": "未开窗"}

# short answers on the keypad's second line (it has room for about eight characters)
DONE = {
    "call-next": "已呼叫 {number}", "recall": "重呼 {number}", "start": "开始办理 {number}",
    "finish": "已办结 {number}", "no-show": "{number} 已过号", "transfer": "{number} 已转{queue_name}",
    "pause": "已暂停", "resume": "已恢复", "open": "已开窗", "close": "已关窗",
}
REFUSED = {
    "window_closed": "窗口未开", "window_paused": "窗口已暂停", "no_ticket": "当前无号",
    "ticket_at_window": "请先办理或过号", "ticket_called": "请先开始办理", "ticket_serving": "正在办理中",
    "unknown_queue": "无此队列", "unknown_window": "无此窗口", "not_no_show": "不能重呼",
    "unauthorized": "认证失败", "forbidden": "无权操作",
}
NOBODY = "无人等候"
BUSY = "处理中"
STALE = "请重按"
FAILED = "操作失败"
BROKEN = "系统故障"


def window_name(window):
    return window.get("name") or f"{window.get('number')}号窗口"


def led_text(window, texts=TEXTS):
    """The window LED: the ticket called or served there, or the window's state."""
    if window is None:
        return ""
    name = window_name(window)
    state = window.get("state")
    ticket, status = window.get("ticket"), window.get("ticket_status")
    if ticket and status in ("called", "serving"):
        return texts[status].format(ticket=ticket, window=name)
    if state in ("paused", "closed"):
        return texts[state].format(window=name)
    return texts["idle"].format(window=name)


def bar_text(calls, texts=TEXTS, limit=BAR_CALLS):
    """The scrolling bar: the latest calls, newest first."""
    items = [texts["bar_call"].format(ticket=c["ticket"], window=c.get("window_name") or f"{c['window']}号窗口")
             for c in list(calls)[:limit]]
    return "  ".join(items) if items else texts["bar_idle"]


def keypad_lines(window, waiting, online, message=None):
    """The keypad's two lines: what is at the window; then the last answer, or how many wait."""
    if window is None:
        first = ""
    elif window.get("ticket") and window.get("ticket_status") in KEYPAD_STATE:
        first = KEYPAD_STATE[window["ticket_status"]].format(ticket=window["ticket"])
    else:
        first = KEYPAD_WINDOW.get(window.get("state"), "")
    if message:
        second = message
    elif not online:
        second = OFFLINE
    else:
        second = f"等候 {waiting} 人" if waiting is not None else ""
    return first, second


def answer(action, status, data):
    """The keypad's short answer to a key press, from the hall's HTTP answer."""
    if status == 204:
        return NOBODY
    data = data if isinstance(data, dict) else {}
    if 200 <= status < 300:
        number = data.get("number") or ""
        if action == "recall" and data.get("status") == "no_show":
            return f"{number} 已过号"
        return DONE[action].format(number=number, queue_name=data.get("queue_name") or data.get("queue") or "")
    if status >= 500:
        return BROKEN
    code = (data.get("error") or {}).get("code") if isinstance(data.get("error"), dict) else None
    return REFUSED.get(code) or {401: REFUSED["unauthorized"], 403: REFUSED["forbidden"]}.get(status, FAILED)
