"""What goes on a printed ticket, line by line: pure, no printer, no I/O.

A thermal printer's font A fits 32 columns on 58 mm paper and 48 on 80 mm; a Chinese character
takes two columns, and a line printed n times as wide takes n times as many. `ticket_ops` turns a
ticket into a list of operations that `kiosk.printer.render` sends as ESC/POS. The words are the
text catalogue's `print.*`, in Chinese: a ticket is printed before anyone has chosen a language.
"""
import math
import unicodedata
from dataclasses import dataclass

from hall.text import text as words

PAPER_COLUMNS = {58: 32, 80: 48}
NUMBER_SIZE = 4                 # GS ! width and height of the ticket number


@dataclass(frozen=True)
class TicketInfo:
    center: str
    queue: str
    number: str
    ahead: int
    est_wait_s: float
    issued: str                 # local time as shown, e.g. "2026-11-26 10:00:05"
    track_url: str
    item: str = None
    priority: bool = False
    notice: str = None
    appointment: bool = False   # checked in with a booking code: called before walk-ins


@dataclass(frozen=True)
class Text:
    text: str
    align: str = "left"         # left | center | right
    size: int = 1               # width and height multiplier (GS !)
    tall: bool = False          # double height only: big but as narrow as normal text
    bold: bool = False


@dataclass(frozen=True)
class QR:
    data: str
    module: int                 # dots per QR module


@dataclass(frozen=True)
class Rule:
    pass


def char_width(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text):
    return sum(char_width(c) for c in text)


# 避头: punctuation a Chinese line never starts with
NO_LINE_START = set("。，、：；！？）】》」』”’.,:;!?)]%")


def wrap(text, columns):
    """Lines of at most `columns` columns; Chinese breaks anywhere, a Latin word stays whole if it fits,
    and closing punctuation never starts a line (it takes the character before it along)."""
    lines = []
    for paragraph in text.splitlines() or [""]:
        lines += _wrap_paragraph(_tokens(paragraph), columns)
    return lines


def _wrap_paragraph(tokens, columns):
    lines, line = [], []

    def used():
        return width("".join(line))

    for token in tokens:
        if line and used() + width(token.rstrip()) > columns:
            carried = []
            if token[0] in NO_LINE_START and len(line) > 1 and width(line[-1] + token) <= columns:
                carried = [line.pop()]
            lines.append("".join(line).rstrip())
            line = carried
        while width(token) > columns:                  # a word longer than a line: cut it
            head, token = _cut(token, columns - used())
            lines.append(("".join(line) + head).rstrip())
            line = []
        line.append(token)
    lines.append("".join(line).rstrip())
    return lines


def _tokens(text):
    """Latin words (with a trailing space) stay together; every other character is its own token."""
    out, word = [], ""
    for ch in text:
        if ch.isascii() and not ch.isspace():
            word += ch
            continue
        if word:
            out.append(word)
            word = ""
        if ch == " " and out:
            out[-1] += " "
        elif ch != " ":
            out.append(ch)
    if word:
        out.append(word)
    return out


def _cut(token, room):
    used = 0
    for i, ch in enumerate(token):
        if used + char_width(ch) > room:
            return token[:i], token[i:]
        used += char_width(ch)
    return token, ""


def wait_text(est_wait_s):
    """The estimate as a person says it: None means no window serves the queue right now."""
    if est_wait_s is None:
        return words("print.wait_none")
    minutes = math.ceil(est_wait_s / 60)
    if minutes <= 1:
        return words("print.wait_soon")
    if minutes < 60:
        return words("print.wait_min", m=minutes)
    hours, rest = divmod(minutes, 60)
    return words("print.wait_hours_min", h=hours, m=rest) if rest else words("print.wait_hours", h=hours)


def ticket_ops(info, paper_mm=80):
    columns = PAPER_COLUMNS[paper_mm]
    ops = []

    def text(value, **style):
        size = style.get("size", 1)
        for line in wrap(value, columns // size):
            ops.append(Text(line, **style))

    text(info.center, align="center", tall=True, bold=True)
    text(info.queue + (f" · {info.item}" if info.item and info.item != info.queue else ""), align="center")
    ops.append(Text(info.number, align="center", size=NUMBER_SIZE, bold=True))
    if info.priority:
        text(words("print.priority"), align="center", bold=True)
    if info.appointment:
        text(words("print.appointment"), align="center", bold=True)
    ops.append(Rule())
    text(words("print.ahead", n=info.ahead))
    text(words("print.wait", wait=wait_text(info.est_wait_s)))
    text(words("print.issued", at=info.issued))
    ops.append(QR(info.track_url, module=6 if paper_mm == 80 else 5))
    text(words("print.qr_hint"), align="center")
    ops.append(Rule())
    text(info.notice or words("print.notice"))
    return ops


def rule_text(paper_mm):
    return "-" * PAPER_COLUMNS[paper_mm]
