"""What the Official Account says: commands read from a citizen's message, answers as plain text.

Pure functions over the public views (`views.center_summary`, `views.ticket`); no Flask, no I/O.
A passive text reply may carry at most 2048 bytes, so the wait board keeps to the queues that
matter and points to the phone page for the rest.
"""
import re
from datetime import datetime

from ..core.clock import zone
from ..text import text as words

MAX_REPLY_BYTES = 2000
TICKET_ID = re.compile(r"^[a-z0-9-]+\.[A-Za-z0-9_-]{8,64}$")
NUMBER = re.compile(r"(?<![A-Za-z0-9])([A-Za-z])\s*(\d{3,4})(?![0-9])")
BOARD_WORDS = ("排队", "等候", "等待", "排号", "人多吗", "queue", "wait")
BOOK_WORDS = ("预约", "book")
HELP_WORDS = ("帮助", "help", "?", "？", "菜单")


def parse(text):
    """(command, argument): board / book / help / ticket_id (id) / number ((number, rest of the text))."""
    t = (text or "").strip()
    low = t.lower()
    if not t or low in HELP_WORDS:
        return "help", None
    if TICKET_ID.match(t):
        return "ticket_id", t
    # a ticket id in a longer message (pasted from the ticket's link)
    m = re.search(r"/m/tickets/([a-z0-9-]+\.[A-Za-z0-9_-]{8,64})", t)
    if m:
        return "ticket_id", m.group(1)
    m = NUMBER.search(t)
    if m:
        number = (m.group(1) + m.group(2)).upper()
        rest = (t[:m.start()] + " " + t[m.end():]).strip(" ，,。.：:")
        return "number", (number, rest)
    if any(w in low for w in BOOK_WORDS):
        return "book", None
    if any(w in low for w in BOARD_WORDS):
        return "board", None
    return "help", None


def minutes(seconds):
    if seconds is None:
        return None
    return max(1, round(seconds / 60)) if seconds > 0 else 0


def hhmm(at, tz):
    return datetime.fromtimestamp(at, zone(tz)).strftime("%H:%M")


def help_text(base_url):
    return ("您好，这里是政务服务中心排队助手。回复：\n"
            "「排队」查看各中心实时等候人数\n"
            "「A012 中心名」查询票号，例如：A012 东湖\n"
            "「预约」预约办事时间\n"
            f"手机查看：{base_url}/m/")


def welcome_text(base_url):
    return "感谢关注！办事前先看看哪里人少，少跑腿、少排队。\n" + help_text(base_url)


def book_text(base_url):
    return f"预约办事请点击：{base_url}/m/book\n预约后到中心取号机或在手机上签到即可。"


def _queue_line(q):
    if q["est_wait_s"] is None:
        return f"  {q['name']}：等候 {q['waiting']} 人，暂无窗口办理"
    m = minutes(q["est_wait_s"])
    return f"  {q['name']}：等候 {q['waiting']} 人，约 {m} 分钟" if m else f"  {q['name']}：无需等候"


def board_text(summaries, base_url):
    """Each centre, open or not, and its queues that have people waiting or a window open."""
    lines = ["【实时排队】"]
    for c in summaries:
        if not c["open"]:
            lines.append(f"{c['name']}（休息中）")
            continue
        lines.append(f"{c['name']}（办理中）")
        shown = [q for q in c["queues"] if q["waiting"] or q["open_windows"]]
        shown.sort(key=lambda q: -q["waiting"])
        if shown:
            lines.extend(_queue_line(q) for q in shown)
        else:
            lines.append("  暂无窗口办理")
    tail = f"完整看板与最近中心推荐：{base_url}/m/"
    out, size = [], len(tail.encode()) + 16
    for line in lines:
        size += len(line.encode()) + 1
        if size > MAX_REPLY_BYTES:
            out.append("……")
            break
        out.append(line)
    return "\n".join(out + [tail])


GENERIC_WORDS = ("政务服务中心", "党群服务中心", "服务中心", "中心", "政务")


def ticket_text(t, tz, now, link=None, tracking=False):
    """A ticket's status: `t` is `views.ticket`; `link` (the ticket's page) only for its holder."""
    head = f"{t['center_name']} {t['number']}（{t['queue_name']}）"
    if t["status"] == "waiting":
        if t["ahead"] == 0:
            body = "前面没有人了，请留意叫号"
        else:
            body = f"前面还有 {t['ahead']} 人"
        if t["est_wait_s"] is not None:
            body += f"，预计 {hhmm(now + t['est_wait_s'], tz)} 前后叫号（约 {minutes(t['est_wait_s'])} 分钟）"
        else:
            body += "，暂无窗口办理此业务"
    elif t["status"] == "called":
        window = f"{t['window']} 号窗口" if t["window"] is not None else "窗口"
        body = f"已叫号：请到 {window}"
    else:
        body = words("status." + t["status"])
    parts = [head, body]
    if tracking:
        parts.append("叫号前我们会通过微信提醒您。")
    if link:
        parts.append(f"实时查看：{link}")
    return "\n".join(parts)


def pick_centre(summaries, hint):
    """The centres a citizen's words name: by id, or by a part of the name (东湖 → 东湖社区…)."""
    hint = (hint or "").strip().lower()
    if not hint:
        return list(summaries)
    exact = [c for c in summaries if c["id"] == hint or c["name"] == hint]
    if exact:
        return exact
    for word in GENERIC_WORDS:          # 「东湖中心」 names 东湖社区党群服务中心
        hint = hint.replace(word, "") or hint
    return [c for c in summaries if hint in c["name"].lower() or hint in c["id"]
            or hint in (c.get("name_en") or "").lower()]
