"""The managers' API over the real app and SQLite store: board, rebalancing, alerts, follow-ups."""
import pytest

from tests.helpers import routes_not_walked, small_center


def act(client, auth, action, window=1, who="staff-east", **body):
    r = client.post(f"/api/v1/centers/east/windows/{window}/{action}", json=body, headers=auth.headers(who))
    assert r.status_code in (200, 204), r.get_data(as_text=True)
    return r.json if r.status_code == 200 else None


def issue(client, auth, queue="general"):
    r = client.post("/api/v1/centers/east/tickets", json={"queue": queue}, headers=auth.headers("kiosk-east"))
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.json


def board(client, auth):
    r = client.get("/api/v1/centers/east/board", headers=auth.headers("manager-east"))
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json


def test_board_shows_queues_windows_and_time_in_service(client, auth, clock):
    issue(client, auth)
    issue(client, auth, "police")
    act(client, auth, "open", window=1)
    act(client, auth, "call-next", window=1)
    clock.advance(90)
    act(client, auth, "start", window=1)
    clock.advance(30)
    b = board(client, auth)
    assert b["center"]["name"] == "东区政务服务中心"
    q = {q["id"]: q for q in b["queues"]}
    assert q["police"]["waiting"] == 1 and q["general"]["waiting"] == 0 and q["police"]["longest_wait_s"] == 120
    assert len(q["police"]["trend"]) == 13 and q["police"]["trend"][-1] == 1 and q["police"]["trend"][0] == 0
    w1 = b["windows"][0]
    assert (w1["number"], w1["state"], w1["ticket"], w1["in_service_s"]) == (1, "open", "A001", 30)
    assert w1["staff"]["name"] == "张敏" and w1["served_today"] == 0
    assert b["alerts"] == [] and b["recommendations"]["items"] == []


def test_a_manager_moves_a_window_and_its_next_call_follows(client, auth, hall):
    issue(client, auth, "tax")
    act(client, auth, "open", window=3)                   # window 3 serves police only
    assert act(client, auth, "call-next", window=3) is None
    r = client.put("/api/v1/centers/east/windows/3/queues", json={"queues": ["tax"]},
                   headers=auth.headers("manager-east"))
    assert r.status_code == 200 and r.json["queues"] == ["tax"]
    assert act(client, auth, "call-next", window=3)["number"] == "C001"
    e = [e for e in hall.events("east") if e["type"] == "window_assigned"][-1]
    assert e["by"] == "user:manager-east" and e["previous"] == ["police"]


def test_bulk_move_through_the_api(client, auth, hall):
    for _ in range(3):
        issue(client, auth)
    r = client.post("/api/v1/centers/east/moves", json={"from": "general", "to": "police", "count": 2, "take": "last"},
                    headers=auth.headers("manager-east"))
    assert r.status_code == 200 and r.json["numbers"] == ["A002", "A003"] and r.json["moved"] == 2
    q = {q["id"]: q for q in board(client, auth)["queues"]}
    assert q["general"]["waiting"] == 1 and q["police"]["waiting"] == 2
    [e] = [e for e in hall.events("east") if e["type"] == "tickets_moved"]
    assert e["by"] == "user:manager-east"


@pytest.mark.parametrize("body, status", [
    ({"from": "general"}, 400), ({"from": "general", "to": "nope"}, 404), ({"from": "tax", "to": "police"}, 409),
    ({"from": "general", "to": "police", "count": "all"}, 400), ({"from": "general", "to": "police", "take": "x"}, 400),
])
def test_bad_moves(client, auth, body, status):
    issue(client, auth)
    r = client.post("/api/v1/centers/east/moves", json=body, headers=auth.headers("manager-east"))
    assert r.status_code == status and r.json["error"]["message"]


def test_supervision_tick_raises_and_the_manager_acknowledges(app, client, auth, clock):
    manage = app.extensions["manage"]
    act(client, auth, "open", window=3)
    issue(client, auth, "police")                   # the window is idle while someone waits for it
    clock.advance(299)
    manage.tick()
    assert board(client, auth)["alerts"] == []
    clock.advance(1)
    manage.tick()
    [a] = board(client, auth)["alerts"]
    assert (a["rule"], a["window"], a["window_name"], a["level"]) == ("idle", 3, "3号窗口", "yellow")
    r = client.post("/api/v1/centers/east/alerts/acknowledge", json={"alert": a["id"], "note": "已提醒"},
                    headers=auth.headers("manager-east"))
    assert r.status_code == 200 and r.json["acknowledged_by"] == "user:manager-east"
    r = client.post("/api/v1/centers/east/alerts/resolve", json={"alert": a["id"]},
                    headers=auth.headers("manager-east"))
    assert r.status_code == 409 and r.json["error"]["code"] == "alert_still_holds"
    act(client, auth, "call-next", window=3)
    manage.tick()
    h = client.get("/api/v1/centers/east/alerts?days=1", headers=auth.headers("manager-east")).json
    assert h["active"] == []
    assert [e["type"] for e in h["history"]] == ["alert_resolved", "alert_acknowledged", "alert_raised"]


def test_a_bad_rating_goes_round_the_follow_up_loop(client, auth):
    t = issue(client, auth)
    act(client, auth, "open", window=1)
    act(client, auth, "call-next", window=1)
    act(client, auth, "finish", window=1)
    assert client.post(f"/api/v1/tickets/{t['id']}/evaluation",
                       json={"score": 1, "comment": "太慢", "options": ["inefficient"]}).status_code == 201
    h = auth.headers("manager-east")
    [f] = client.get("/api/v1/centers/east/followups", headers=h).json["followups"]
    assert (f["number"], f["score"], f["status"], f["overdue"]) == ("A001", 1, "open", False)
    assert f["queue_name"] == "综合受理"
    steps = [("verify", {"finding": "confirmed"}), ("rectify", {}), ("reply", {})]
    for step, extra in steps:
        r = client.post(f"/api/v1/centers/east/followups/{step}", json={"followup": f["id"], "note": step, **extra},
                        headers=h)
        assert r.status_code == 200, r.get_data(as_text=True)
    assert r.json["status"] == "closed"
    r = client.post("/api/v1/centers/east/followups/appeal", json={"followup": f["id"], "note": "x"},
                    headers=auth.headers("staff-east"))
    assert r.status_code == 409
    r = client.post("/api/v1/centers/east/followups/verify", json={"followup": f["id"], "note": "x"},
                    headers=auth.headers("staff-east"))
    assert r.status_code == 403


def test_recommendations_move_an_idle_window_to_a_long_queue(client, auth, clock):
    act(client, auth, "open", window=1)             # general + police
    act(client, auth, "open", window=3)             # police, idle: nobody waits for it
    act(client, auth, "open", window=2)             # general + tax
    for _ in range(12):
        issue(client, auth)
    act(client, auth, "call-next", window=1)
    act(client, auth, "call-next", window=2)
    r = client.get("/api/v1/centers/east/recommendations?fresh=1", headers=auth.headers("manager-east"))
    assert r.status_code == 200
    [best, *_] = r.json["items"]
    assert best["window"] == 3 and "general" in best["queues"]
    general = next(e for e in best["effects"] if e["queue"] == "general")
    assert general["delta_s"] < 0
    assert best["text"].startswith("把 3 号窗口从户籍业务调到综合受理：综合受理预计等候 −") or \
        best["text"].startswith("让 3 号窗口兼办综合受理：综合受理预计等候 −")


def test_reports_csv_and_xlsx(client, auth, clock):
    t = issue(client, auth)
    act(client, auth, "open", window=1)
    clock.advance(60)
    act(client, auth, "call-next", window=1)
    act(client, auth, "start", window=1)
    clock.advance(240)
    act(client, auth, "finish", window=1)
    client.post(f"/api/v1/tickets/{t['id']}/evaluation", json={"score": 5})
    h = auth.headers("manager-east")
    r = client.get("/api/v1/centers/east/reports?period=day&date=2026-11-26", headers=h).json
    assert r["totals"]["issued"] == 1 and r["totals"]["mean_wait_s"] == 60.0 and r["totals"]["mean_service_s"] == 240.0
    assert r["totals"]["satisfaction"] == 1.0 and r["staff"][0]["name"] == "张敏"
    csv = client.get("/api/v1/centers/east/reports?period=day&date=2026-11-26&format=csv&table=queues", headers=h)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("业务编号,业务,取号数,叫号数,办结数") and lines[1].startswith("general,综合受理,1,1,1")
    x = client.get("/api/v1/centers/east/reports?period=month&date=2026-11-26&format=xlsx", headers=h)
    assert x.status_code == 200
    import io
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(x.data))
    # November's Sundays are closed days: listed on a sheet of their own, after the others
    assert wb.sheetnames == ["汇总", "按业务", "按窗口", "按人员", "按日", "到达热力图", "闭馆日"]
    assert [c.value for c in wb["闭馆日"][3]] == ["2026-11-01", "休息日"]
    assert [c.value for c in wb["汇总"][3]][:4] == ["东区政务服务中心", 1, 1, 1]


def test_audit_filters(client, auth, clock):
    a = issue(client, auth)
    issue(client, auth, "police")
    act(client, auth, "open", window=1)
    act(client, auth, "call-next", window=1)
    act(client, auth, "open", window=3, who="manager-east")
    act(client, auth, "call-next", window=3, who="manager-east")
    h = auth.headers("manager-east")
    get = lambda q: client.get(f"/api/v1/centers/east/audit?{q}", headers=h).json   # noqa: E731
    by_window = get("window=3")["events"]
    assert {e["type"] for e in by_window} == {"window_opened", "ticket_called"}
    assert all(e["window"] == 3 for e in by_window)
    by_ticket = get("ticket=A001")["events"]
    assert [e["type"] for e in by_ticket] == ["ticket_called", "ticket_issued"] and by_ticket[0]["ticket"] == a["id"]
    by_staff = get("staff=staff-east")["events"]
    assert all(e.get("window") == 1 for e in by_staff) and len(by_staff) == 2
    assert get("from=2026-11-26T10:00:01")["events"] == []
    assert client.get("/api/v1/centers/east/audit?from=yesterday", headers=h).status_code == 400


def test_admin_users_devices_and_catalogue(app, client, auth, hall):
    admin = auth.user("root", "admin")
    mgr = auth.headers("manager-east")
    r = client.post("/api/v1/users", json={"username": "wang", "role": "staff", "password": "abc12345", "name": "王芳"},
                    headers=mgr)
    assert r.status_code == 201 and r.json["center"] == "east"
    old_hash = hall.district().users["wang"]["password"]
    r = client.post("/api/v1/users", json={"username": "wang", "password": "new-pass-1"}, headers=mgr)
    assert r.status_code == 200 and hall.district().users["wang"]["password"] != old_hash
    assert client.post("/api/v1/auth/login", json={"username": "wang", "password": "new-pass-1"}).status_code == 200
    assert client.post("/api/v1/users", json={"username": "wang", "center": "west"}, headers=mgr).status_code == 403
    assert client.post("/api/v1/users", json={"username": "boss", "role": "manager", "password": "abc12345"},
                       headers=mgr).status_code == 403
    r = client.post("/api/v1/users", json={"username": "wang", "center": "west"}, headers=admin)
    assert r.status_code == 200 and r.json["center"] == "west"
    names = [u["username"] for u in client.get("/api/v1/users", headers=mgr).json["users"]]
    assert "wang" not in names and "manager-east" in names
    assert all("password" not in u for u in client.get("/api/v1/users", headers=admin).json["users"])

    r = client.post("/api/v1/devices", json={"name": "kiosk-2", "kind": "kiosk"}, headers=mgr)
    assert r.status_code == 201 and r.json["token"].startswith("dev_")
    assert client.get("/api/v1/centers/east", headers={"Authorization": "Bearer " + r.json["token"]}).status_code == 200
    assert client.post("/api/v1/devices", json={"name": "k3", "kind": "kiosk", "center": "west"},
                       headers=mgr).status_code == 403

    import yaml
    doc = {"centers": [small_center("east", notice="新通知")]}
    r = client.post("/api/v1/catalog", data=yaml.safe_dump(doc, allow_unicode=True), headers=mgr)
    assert r.status_code == 200 and r.json["changed"] == ["east"]
    assert client.get("/api/v1/catalog", headers=mgr).json["centers"][0]["notice"] == "新通知"
    r = client.post("/api/v1/catalog", data="centers: [{id: east}]", headers=mgr)
    assert r.status_code == 400 and r.json["error"]["code"] == "bad_catalog"
    r = client.post("/api/v1/catalog", data=yaml.safe_dump({"centers": [small_center("west")]}), headers=mgr)
    assert r.status_code == 403
    assert "centers:" in client.get("/api/v1/catalog?format=yaml", headers=admin).get_data(as_text=True)


CASES = [
    ("GET", "/centers/east/board", None, None, 401),
    ("GET", "/centers/east/board", None, "staff-east", 403),
    ("GET", "/centers/west/board", None, "manager-east", 403),
    ("GET", "/centers/nowhere/board", None, "manager-east", 404),
    ("GET", "/centers/east/recommendations", None, "kiosk-east", 403),
    ("GET", "/centers/east/alerts?days=99", None, "manager-east", 400),
    ("GET", "/centers/east/alerts?days=x", None, "manager-east", 400),
    ("POST", "/centers/east/alerts/acknowledge", {}, "manager-east", 400),
    ("POST", "/centers/east/alerts/acknowledge", {"alert": "a99"}, "manager-east", 404),
    ("POST", "/centers/east/alerts/acknowledge", {"alert": "a1"}, "staff-east", 403),
    ("POST", "/centers/east/alerts/resolve", {"alert": 5}, "manager-east", 400),
    ("POST", "/centers/east/alerts/explode", {"alert": "a1"}, "manager-east", 404),
    ("GET", "/centers/east/followups", None, "kiosk-east", 403),
    ("POST", "/centers/east/followups/verify", {"followup": "nope", "note": "x"}, "manager-east", 404),
    ("POST", "/centers/east/followups/verify", {"followup": "nope"}, "manager-east", 400),
    ("POST", "/centers/east/followups/review", {"followup": "x", "note": "x", "outcome": "maybe"}, "manager-east", 400),
    ("POST", "/centers/east/followups/dance", {}, "manager-east", 404),
    ("POST", "/centers/east/followups/rectify", {}, "manager-east", 400),
    ("POST", "/centers/east/followups/reply", {"followup": "x", "note": 5}, "manager-east", 400),
    ("POST", "/centers/east/followups/appeal", {"followup": "x", "note": "x"}, "kiosk-east", 403),
    ("POST", "/centers/east/followups/review", {"followup": "x", "note": "x"}, "manager-east", 400),
    ("POST", "/centers/east/moves", b'{"from": ', "manager-east", 400),
    ("POST", "/centers/east/moves", {"from": "general", "to": "tax"}, "staff-east", 403),
    ("GET", "/centers/east/reports?period=year", None, "manager-east", 400),
    ("GET", "/centers/east/reports?date=26/11/2026", None, "manager-east", 400),
    ("GET", "/centers/east/reports?format=pdf", None, "manager-east", 400),
    ("GET", "/centers/east/reports", None, "staff-east", 403),
    ("POST", "/centers/east/followups/revisit", {"followup": "nope", "note": "x", "result": "satisfied"},
     "manager-east", 404),
    ("POST", "/centers/east/followups/revisit", {"followup": "x", "note": "x"}, "manager-east", 400),
    ("POST", "/centers/east/followups/revisit", {"followup": "x", "note": "x", "result": "happy"}, "manager-east", 400),
    ("POST", "/centers/east/followups/revisit", {"followup": "x", "note": "x", "result": "satisfied"}, "staff-east",
     403),
    ("GET", "/centers/east/evaluations?from=2026-11-30&to=2026-11-01", None, "manager-east", 400),
    ("GET", "/centers/east/evaluations?from=26/11/2026", None, "manager-east", 400),
    ("GET", "/centers/east/evaluations", None, "staff-east", 403),
    ("GET", "/centers/east/audit?window=x", None, "manager-east", 400),
    ("GET", "/centers/east/audit?from=2026-11-26T10:00&to=2026-11-26T09:00", None, "manager-east", 400),
    ("GET", "/centers/east/audit?from=2026-01-01T00:00", None, "manager-east", 400),
    ("GET", "/centers/east/audit", None, "staff-east", 403),
    ("GET", "/users", None, None, 401),
    ("GET", "/users", None, "staff-east", 403),
    ("POST", "/users", {"username": "x y", "role": "staff", "password": "abcdefg"}, "manager-east", 400),
    ("POST", "/users", {"username": "newbie", "role": "staff"}, "manager-east", 400),
    ("POST", "/users", {"username": "newbie", "role": "staff", "password": "123"}, "manager-east", 400),
    ("POST", "/users", {"username": "newbie", "role": "chief", "password": "abcdefg"}, "manager-east", 400),
    ("POST", "/users", {"username": "newbie", "password": "abcdefg"}, "manager-east", 400),
    ("POST", "/users", [1], "manager-east", 400),
    ("GET", "/devices", None, "kiosk-east", 403),
    ("POST", "/devices", {"name": "d1", "kind": "toaster"}, "manager-east", 400),
    ("POST", "/devices", {"kind": "kiosk"}, "manager-east", 400),
    ("GET", "/catalog", None, "staff-east", 403),
    ("POST", "/catalog", b"", "manager-east", 400),
    ("POST", "/catalog", b"centers: [", "manager-east", 400),
    ("POST", "/catalog", b"\xff\xfe", "manager-east", 400),
    ("GET", "/centers/east/voice?window=9", None, "manager-east", 400),         # tests/displays has the rest
    ("PUT", "/centers/east/voice/pack", b"not a zip", "manager-east", 400),
    ("DELETE", "/centers/east/voice/pack", None, "staff-east", 403),
]


@pytest.mark.parametrize("method, path, body, who, status", CASES, ids=[f"{c[0]} {c[1]} {c[3]}" for c in CASES])
def test_bad_requests_get_the_right_4xx(client, auth, method, path, body, who, status):
    headers = auth.headers(who) if who else {}
    if isinstance(body, bytes):
        r = client.open("/api/v1" + path, method=method, data=body,
                        headers={**headers, "Content-Type": "application/json"})
    else:
        r = client.open("/api/v1" + path, method=method, json=body, headers=headers)
    assert r.status_code == status, r.get_data(as_text=True)
    assert set(r.json["error"]) == {"code", "message"}


def test_every_manage_route_is_walked(app):
    walked = {(m, p.split("?")[0]) for m, p, *_ in CASES} | {
        ("POST", "/centers/east/moves"), ("GET", "/centers/east/followups")}
    assert routes_not_walked(app, walked, lambda rule: rule.endpoint.startswith("api_manage")) == []


def test_pages_render(client):
    assert client.get("/manage/").status_code == 200
    for path in ("/manage/east", "/manage/east/alerts", "/manage/east/reports", "/manage/admin"):
        r = client.get(path)
        assert r.status_code == 200 and "lang=\"zh-CN\"" in r.get_data(as_text=True), path
    assert client.get("/manage/nowhere").status_code == 302
