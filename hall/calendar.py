"""China's official calendar — the public holidays (法定节假日) and make-up working days (调休) the
State Council publishes each year — from the `chinese-calendar` package (pinned in setup.cfg), as
the table a centre's configuration carries, so that the pure core decides with it and the event
log records which calendar a centre followed.

The package knows the years up to the latest schedule published when it was released. A day of a
year it does not cover follows the centre's weekly hours only; loading a catalogue then says so in
a warning (upgrade the package and load the catalogue again), rather than guessing in silence.
"""
import logging
from datetime import date
from functools import cache

log = logging.getLogger(__name__)

# the package's holidays by their English names (chinese_calendar.constants.Holiday's values), in the
# Chinese a hall writes (its own Chinese says 清明, 端午, 中秋)
NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
         "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
         "Anti-Fascist 70th Day": "抗战胜利纪念日"}


@cache
def official():
    """{"years": [first, last], "holidays": {ISO date: 中文名}, "workdays": [ISO date]}."""
    from chinese_calendar import constants
    holidays = {d.isoformat(): NAMES.get(name, name) for d, name in constants.holidays.items()}
    workdays = sorted(d.isoformat() for d in constants.workdays)
    years = sorted({d.year for d in constants.holidays})
    return {"years": [years[0], years[-1]], "holidays": dict(sorted(holidays.items())), "workdays": workdays}


@cache
def english(name):
    """The English name of the official holiday the table calls `name` (国庆节 → National Day), as
    the package gives it; None for anything else (a centre's own closed day, no name)."""
    if not name:
        return None
    from chinese_calendar.constants import Holiday
    return next((h.value for h in Holiday if NAMES.get(h.value, h.value) == name), None)


def uncovered(years, today):
    """The years a centre may need now (this one, and the next from October, when the State Council
    publishes it) that the table does not cover."""
    wanted = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    return [y for y in wanted if not years[0] <= y <= years[1]]


def follows(center):
    return center.get("hours") is not None and center.get("calendar", "official") == "official"


def attach(center, table=None):
    """A normalized centre with the official calendar's table, when it has hours and follows it."""
    if not follows(center):
        return center
    table = table or official()
    return {**center, "official_calendar": table}


def warn_uncovered(centers, today=None, table=None):
    """One warning for a catalogue whose centres follow the calendar into a year it does not cover."""
    following = [c["id"] for c in centers if follows(c)]
    table = table or official()
    missing = uncovered(table["years"], today or date.today())
    if following and missing:
        log.warning("the official holiday calendar (package chinese-calendar) covers %d–%d, not %s: on those days "
                    "%d centre(s) (%s) follow their weekly hours only. Upgrade chinese-calendar and load the "
                    "catalogue again.", table["years"][0], table["years"][1], ", ".join(map(str, missing)),
                    len(following), ", ".join(following[:5]) + (", …" if len(following) > 5 else ""))
