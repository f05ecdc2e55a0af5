"""The ticket's lines: widths in printer columns (a Chinese character takes two), wrapping, wording."""
import pytest

from kiosk.layout import (
    PAPER_COLUMNS,
    QR,
    Rule,
    Text,
    TicketInfo,
    ticket_ops,
    wait_text,
    width,
    wrap,
)

INFO = TicketInfo(center="环市街政务服务中心", queue="综合受理", number="A015", ahead=4, est_wait_s=1260,
                  issued="2026-11-26 10:00:05", track_url="https://hall.example.cn/m/tickets/huanshi.abc",
                  item="结婚登记")


def test_width_counts_chinese_and_fullwidth_punctuation_as_two_columns():
    assert width("A015") == 4
    assert width("结婚登记") == 8
    assert width("取号时间：10:00") == 8 + 2 + 5


@pytest.mark.parametrize("columns", [32, 48])
def test_wrap_never_exceeds_the_paper(columns):
    text = ("温馨提示：本中心工作日8:30-12:00、13:30-17:30办公，周六上午提供延时服务；"
            "请携带材料原件取号办理，过号请留意回呼。")
    lines = wrap(text, columns)
    assert all(width(line) <= columns for line in lines)
    assert "".join(lines) == text.replace(" ", "")


def test_wrap_keeps_latin_words_whole_and_cuts_only_what_cannot_fit():
    assert wrap("please keep your ticket", 10) == ["please", "keep your", "ticket"]
    assert wrap("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_a_line_never_starts_with_closing_punctuation():
    lines = wrap("请在等候区留意叫号屏幕和语音提示。过号请到咨询台。", 32)
    assert lines == ["请在等候区留意叫号屏幕和语音提", "示。过号请到咨询台。"]
    assert not any(line[0] in "。，、：；）" for line in lines)


@pytest.mark.parametrize("seconds, said", [(None, "窗口开放后开始叫号"), (0, "即将叫号"), (50, "即将叫号"),
                                           (61, "约2分钟"), (1260, "约21分钟"), (3600, "约1小时"),
                                           (4500, "约1小时15分钟")])
def test_wait_is_said_as_a_person_would(seconds, said):
    assert wait_text(seconds) == said


@pytest.mark.parametrize("paper", [58, 80])
def test_every_line_fits_its_paper(paper):
    columns = PAPER_COLUMNS[paper]
    for op in ticket_ops(INFO, paper):
        if isinstance(op, Text):
            assert width(op.text) * op.size <= columns, op


def test_the_ticket_says_what_a_citizen_needs_in_order():
    ops = ticket_ops(INFO, 80)
    texts = [op.text for op in ops if isinstance(op, Text)]
    assert texts[:3] == ["环市街政务服务中心", "综合受理 · 结婚登记", "A015"]
    assert "您前面还有：4人" in texts and "预计等候：约21分钟" in texts
    assert "取号时间：2026-11-26 10:00:05" in texts
    number = next(op for op in ops if isinstance(op, Text) and op.text == "A015")
    assert number.size == 4 and number.bold and number.align == "center"
    qr = [op for op in ops if isinstance(op, QR)]
    assert qr == [QR(INFO.track_url, module=6)]
    assert sum(isinstance(op, Rule) for op in ops) == 2


def test_priority_is_printed_and_a_kiosk_notice_replaces_the_default():
    from dataclasses import replace
    ops = ticket_ops(replace(INFO, priority=True, notice="凭票办理"), 58)
    texts = [op.text for op in ops if isinstance(op, Text)]
    assert "【绿色通道】" in texts and texts[-1] == "凭票办理"
    assert next(op for op in ops if isinstance(op, QR)).module == 5
