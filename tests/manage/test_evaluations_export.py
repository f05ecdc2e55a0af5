"""The upward export of 好差评 evaluations: a simulated October (National Day week closed, the make-up
Saturday open) through the real core, with ratings on three channels and the managers' follow-ups,
exported as CSV, XLSX and JSON into test-artifacts/ and checked against the events."""
import csv
import io
import os
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from hall import catalog
from hall.app import create_app
from hall.core.clock import day_hours
from hall.core.config import CenterConfig
from hall.manage import evaluations
from hall.sim.history import write_history
from hall.sim.model import Options
from hall.store import open_store
from tests.conftest import Auth
from tests.helpers import Clock, at, small_center

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "test-artifacts")
OCTOBER = [date(2026, 10, 1) + timedelta(days=i) for i in range(31)]


@pytest.fixture
def artifacts():
    os.makedirs(ARTIFACTS, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def clock():
    return Clock("2026-11-02 08:00")          # the Monday after


@pytest.fixture(scope="module")
def centre():
    return catalog.parse({"centers": [small_center("east", norms={"followup_days": 5})]})[0]


@pytest.fixture
def month(tmp_path, clock, centre):
    """An app whose store holds every open day of October 2026, simulated with ratings."""
    data = str(tmp_path / "data")
    os.makedirs(data)
    hours = CenterConfig.from_dict(centre).hours
    open_days = [d for d in OCTOBER if day_hours(hours, d)]
    store = open_store(data)
    try:
        done = write_history(store, centre, len(open_days), seed=11, today=date(2026, 11, 1),
                             options=Options(tickets_per_day=40, ratings=0.5))
        events = store.read("east")
    finally:
        store.close()
    assert (done["first"], done["last"]) == ("2026-10-08", "2026-10-31")
    app = create_app({"DATA_DIR": data, "CLOCK": clock, "SECRET_KEY": "test-secret"})
    catalog.load(app.extensions["hall"], [centre])
    auth = Auth(app, app.test_client())
    auth.user("manager-east", "manager", "east")
    yield app, auth, events, open_days
    app.extensions["hall"].store.close()


def export(app, auth, fmt, first="2026-10-01", last="2026-10-31"):
    return app.test_client().get(f"/api/v1/centers/east/evaluations?from={first}&to={last}&format={fmt}",
                                 headers=auth.headers("manager-east"))


def test_a_simulated_month_exports_every_rating_with_its_follow_up(month, artifacts):
    app, auth, events, open_days = month
    rated = [e for e in events if e["type"] == "ticket_evaluated"]
    opened = {e["ticket"]: e for e in events if e["type"] == "followup_opened"}
    # National Day week closed, the make-up Saturday 10 October open, ordinary Sundays closed
    assert date(2026, 10, 10) in open_days and date(2026, 10, 7) not in open_days
    assert date(2026, 10, 11) not in open_days and len(open_days) == 21
    # the simulator issued tickets on exactly the open days, and ratings name the day of their service
    issued_days = {datetime.fromtimestamp(e["at"], ZoneInfo("Asia/Shanghai")).date()
                   for e in events if e["type"] == "ticket_issued"}
    assert issued_days == set(open_days)
    assert {e["day"] for e in rated} <= {d.isoformat() for d in open_days}

    r = export(app, auth, "json")
    assert r.status_code == 200
    body = r.json
    lines = body["evaluations"]
    assert [c["key"] for c in body["columns"]] == [k for k, _ in evaluations.COLUMNS]
    # one line per rating given in October, in log order, with its channel and its id
    in_october = [e for e in rated if at("2026-10-01 00:00") <= e["at"] < at("2026-11-01 00:00")]
    assert body["count"] == len(lines) == len(in_october) > 200
    assert [(x["ticket"], x["score"], x["channel"]) for x in lines] == \
        [(e["ticket"], e["score"], e["channel"]) for e in in_october]
    assert [x["evaluation_id"] for x in lines] == [f"east-{e['seq']:08d}" for e in in_october]
    assert Counter(x["channel"] for x in lines).keys() == {"evaluator", "phone", "kiosk"}
    # 一次一评: a service rated on two channels is in the export twice, counted once
    twice = [t for t, n in Counter(x["ticket"] for x in lines).items() if n > 1]
    assert twice and all(sum(x["counted"] for x in lines if x["ticket"] == t) >= 1 for t in twice)
    counted = Counter(x["ticket"] for x in lines if x["counted"])
    assert set(counted.values()) <= {1, 2}          # 2 only when the later one lowered the score
    for x in lines:
        assert x["center_name"] == "东区政务服务中心" and x["staff_no"] and x["window_name"].endswith("号窗口")
        assert x["level"] in ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
        assert len(x["options"].split(";")) == len(x["options_text"].split("、")) if x["options"] else True
    bad = [x for x in lines if x["score"] <= 2]
    assert bad and all(x["options"] for x in bad)
    assert all(x["followup_status"] for x in bad if x["ticket"] in opened)
    assert all(x["followup_status"] is None for x in lines if x["score"] > 2)
    # the simulated manager put most right and visited most of those
    assert any(x["rectified_at"] for x in bad) and any(x["revisit_result"] == "满意" for x in bad)
    assert any(x["rectified_on_time"] is True for x in bad)
    revisits = {e["ticket"] for e in events if e["type"] == "followup_revisited"}
    assert {x["ticket"] for x in bad if x["revisited_at"]} == revisits & {x["ticket"] for x in bad}

    # the same lines as CSV (UTF-8 with a byte-order mark) and XLSX
    c = export(app, auth, "csv")
    assert c.status_code == 200 and c.data.startswith("\ufeff".encode()) and c.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(c.data.decode("utf-8-sig"))))
    assert table[0] == [t for _, t in evaluations.COLUMNS] and len(table) == len(lines) + 1
    assert table[0][:3] == ["评价编号", "中心编码", "部门/中心"]
    x = load_workbook(io.BytesIO(export(app, auth, "xlsx").data))
    ws = x["好差评评价明细"]
    assert [c.value for c in ws[2]] == [t for _, t in evaluations.COLUMNS] and ws.max_row == len(lines) + 2
    for fmt, data in (("csv", c.data), ("xlsx", export(app, auth, "xlsx").data), ("json", r.data)):
        with open(os.path.join(artifacts, f"evaluations-2026-10.{fmt}"), "wb") as f:
            f.write(data)


def test_the_export_agrees_with_the_months_report(month):
    app, auth, _, open_days = month
    lines = export(app, auth, "json").json["evaluations"]
    report = app.test_client().get("/api/v1/centers/east/reports?period=month&date=2026-10-15",
                                   headers=auth.headers("manager-east")).json
    t = report["totals"]
    counted = [x for x in lines if x["counted"]]
    lowest = {}
    for x in counted:                                   # the last counted line of a service is its lowest
        lowest[x["ticket"]] = x["score"]
    assert t["rated"] == len(lowest) and t["bad_ratings"] == sum(1 for s in lowest.values() if s <= 2)
    good = sum(1 for s in lowest.values() if s >= 3)
    assert t["satisfaction"] == round(good / len(lowest), 4)
    assert t["open_days"] == len(open_days) == 21
    holidays = [d for d in report["closed_days"] if d["holiday"] == "国庆节"]
    assert [d["day"] for d in holidays] == [f"2026-10-0{i}" for i in range(1, 8) if i != 0]
    assert "2026-10-10" not in {d["day"] for d in report["closed_days"]}


@pytest.mark.parametrize("query", [
    "from=2026-13-01&to=2026-10-31", "to=2026-11-31", "from=yesterday&to=2026-10-31",
    "from=2026-10-31&to=2026-10-01", "from=2026-01-01&to=2026-10-31", "from=2026-10-01&to=2026-10-31&format=pdf",
])
def test_bad_dates_are_refused(app, auth, client, query):
    r = client.get(f"/api/v1/centers/east/evaluations?{query}", headers=auth.headers("manager-east"))
    assert r.status_code == 400 and r.json["error"]["code"] in ("bad_input", "bad_query"), r.json


def test_only_the_centres_managers_export(app, auth, client):
    q = "/api/v1/centers/east/evaluations"
    assert client.get(q).status_code == 401
    assert client.get(q, headers=auth.headers("staff-east")).status_code == 403
    assert client.get(q.replace("east", "nowhere"), headers=auth.headers("manager-east")).status_code == 404
    r = client.get(q, headers=auth.headers("manager-east"))
    assert r.status_code == 200 and r.json["count"] == 0 and r.json["evaluations"] == []
