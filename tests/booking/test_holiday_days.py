"""The phone booking page's day picker follows the official calendar: the National Day week shows as
closed with the holiday's name, the make-up Saturday offers the working-day slots."""
import pytest

from tests.helpers import Clock, at


@pytest.fixture
def clock():
    return Clock("2026-09-30 10:00")          # the eve of National Day (Wednesday)


def test_holidays_closed_and_the_make_up_saturday_open(clocked_server, phone):
    page = phone()
    page.goto(f"{clocked_server.url}/m/book")
    page.tap(".choice.queue[data-queue='general']")
    page.wait_for_selector(".day[data-day='2026-10-01']")
    for day in ("2026-10-01", "2026-10-05"):
        assert page.is_disabled(f".day[data-day='{day}']")
        assert page.inner_text(f".day[data-day='{day}'] em") == "国庆节"
    assert page.is_enabled(".day[data-day='2026-09-30']")
    page.tap("#lang")                                   # in English, the holiday's English name
    page.wait_for_function("document.querySelector(\".day[data-day='2026-10-01'] em\").textContent === 'National Day'")
    assert not page.errors, page.errors


def test_the_rules_carry_each_days_opening(clocked_server):
    from hall.public.pages import _booking_rules
    hall = clocked_server.hall
    with hall.reading("east") as state:
        rules = _booking_rules(state, clocked_server.clock())
    days = rules["days"]
    assert days["2026-10-01"] == {"open": [], "holiday": "国庆节", "holiday_en": "National Day"}
    assert days["2026-09-30"]["open"] == [[510, 720], [810, 1050]] and days["2026-09-30"]["holiday"] is None
    assert sorted(days)[-1] == "2026-10-07"    # a week ahead
    with hall.reading("east") as state:
        later = _booking_rules(state, at("2026-10-08 10:00"))["days"]
    # the make-up Saturday opens with the weekday hours, afternoon too; Sunday the 11th is closed
    assert later["2026-10-10"] == {"open": [[510, 720], [810, 1050]], "holiday": None, "holiday_en": None}
    assert later["2026-10-11"] == {"open": [], "holiday": None, "holiday_en": None}
