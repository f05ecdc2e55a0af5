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
    return words("wechat.help", base=base_url)


def welcome_text(base_url):
    return words("wechat.welcome") + help_text(base_url)


def book_text(base_url):
    return words("wechat.book", base=base_url)


def _queue_line(q):
    if q["est_wait_s"] is None:
        return words("wechat.queue_no_window", queue=q["name"], n=q["waiting"])
    m = minutes(q["est_wait_s"])
    return (words("wechat.queue_wait", queue=q["name"], n=q["waiting"], m=m) if m
            else words("wechat.queue_no_wait", queue=q["name"]))


def board_text(summaries, base_url):
    """Each centre, open or not, and its queues that have people waiting or a window open."""
    lines = [words("wechat.board_title")]
    for c in summaries:
        if not c["open"]:
            lines.append(words("wechat.centre_closed", centre=c["name"]))
            continue
        lines.append(words("wechat.centre_open", centre=c["name"]))
        shown = [q for q in c["queues"] if q["waiting"] or q["open_windows"]]
        shown.sort(key=lambda q: -q["waiting"])
        if shown:
            lines.extend(_queue_line(q) for q in shown)
        else:
            lines.append(words("wechat.no_window"))
    tail = words("wechat.board_tail", base=base_url)
    out, size = [], len(tail.encode()) + 16
    for line in lines:
        size += len(line.encode()) + 1
        if size > MAX_REPLY_BYTES:
            out.append(words("wechat.more"))
            break
        out.append(line)
    return "\n".join(out + [tail])


GENERIC_WORDS = ("政务服务中心", "党群服务中心", "服务中心", "中心", "政务")


def ticket_text(t, tz, now, link=None, tracking=False):
    """A ticket's status: `t` is `views.ticket`; `link` (the ticket's page) only for its holder."""
    head = words("wechat.ticket_head", centre=t["center_name"], number=t["number"], queue=t["queue_name"])
    if t["status"] == "waiting":
        body = words("wechat.nobody_ahead") if t["ahead"] == 0 else words("wechat.ahead", n=t["ahead"])
        if t["est_wait_s"] is not None:
            body += words("wechat.eta", t=hhmm(now + t["est_wait_s"], tz), m=minutes(t["est_wait_s"]))
        else:
            body += words("wechat.no_window_for_queue")
    elif t["status"] == "called":
        window = words("wechat.window_n", n=t["window"]) if t["window"] is not None else words("wechat.a_window")
        body = words("wechat.called", window=window)
    else:
        body = words("status." + t["status"])
    parts = [head, body]
    if tracking:
        parts.append(words("wechat.tracking"))
    if link:
        parts.append(words("wechat.live_link", link=link))
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
