"""The contract's main path over HTTP: take a ticket, call it, serve it, rate it."""
import re


def issue(client, auth, center="east", **body):
    return client.post(f"/api/v1/centers/{center}/tickets", json=body or {"queue": "general"},
                       headers=auth.headers("kiosk-east"))


def act(client, auth, action, window=1, who="staff-east", center="east", **body):
    return client.post(f"/api/v1/centers/{center}/windows/{window}/{action}", json=body,
                       headers=auth.headers(who))


def test_ticket_has_the_contract_fields(client, auth):
    r = issue(client, auth)
    assert r.status_code == 201
    t = r.json
    assert set(t) >= {"id", "number", "center", "queue", "status", "ahead", "est_wait_s", "window",
                      "issued_at", "called_at"}
    assert (t["number"], t["center"], t["queue"], t["status"], t["window"]) == ("A001", "east", "general",
                                                                                "waiting", None)
    assert t["issued_at"].startswith("2026-11-26T10:00:00+08:00")
    assert r.headers["Location"] == f"/api/v1/tickets/{t['id']}"
    assert client.get(f"/api/v1/tickets/{t['id']}").json["number"] == "A001"


def test_call_start_finish_evaluate(client, auth, clock):
    t = issue(client, auth).json
    assert act(client, auth, "open").status_code == 200
    r = act(client, auth, "call-next")
    assert r.status_code == 200 and r.json["id"] == t["id"] and r.json["window"] == 1
    assert r.json["status"] == "called" and r.json["called_at"]
    clock.advance(10)
    assert act(client, auth, "start").json["status"] == "serving"
    clock.advance(300)
    assert act(client, auth, "finish").json["status"] == "done"
    r = client.post(f"/api/v1/tickets/{t['id']}/evaluation", json={"score": 5, "comment": "很好"})
    assert r.status_code == 201 and r.json["score"] == 5


def test_call_next_with_no_one_waiting_is_204(client, auth):
    act(client, auth, "open")
    r = act(client, auth, "call-next")
    assert r.status_code == 204 and r.data == b""


def test_window_shows_staff_and_ticket(client, auth):
    issue(client, auth)
    act(client, auth, "open")
    act(client, auth, "call-next")
    c = client.get("/api/v1/centers/east").json
    w = next(w for w in c["windows"] if w["number"] == 1)
    assert (w["state"], w["ticket"]) == ("open", "A001")
    assert w["staff"] == {"name": "张敏", "staff_no": "01007"}
    q = next(q for q in c["queues"] if q["id"] == "general")
    assert set(q) >= {"id", "prefix", "name", "category", "waiting", "est_wait_s", "open_windows"}


def test_queue_counts_and_estimates(client, auth, hall, clock):
    for _ in range(4):
        issue(client, auth)
    q = lambda: next(q for q in client.get("/api/v1/centers/east").json["queues"] if q["id"] == "general")
    assert q()["waiting"] == 4 and q()["est_wait_s"] is None and q()["open_windows"] == 0
    act(client, auth, "open", window=1)
    act(client, auth, "open", window=2)
    # 4 waiting, 2 idle windows, 300 s a service: tickets 1–2 are called now, 3–4 at 300 s, a fifth at 600 s
    assert q()["open_windows"] == 2 and q()["est_wait_s"] == 600
    last = client.get("/api/v1/centers/east").json
    assert last["seq"] == hall.state("east").version


def test_ticket_ahead_and_estimate(client, auth):
    first = issue(client, auth).json
    second = issue(client, auth).json
    assert (first["ahead"], second["ahead"]) == (0, 1)
    prio = issue(client, auth, queue="general", priority="priority").json
    assert prio["ahead"] == 0
    assert client.get(f"/api/v1/tickets/{second['id']}").json["ahead"] == 2


def test_out_of_order_call_and_callback(client, auth):
    issue(client, auth)
    b = issue(client, auth).json
    act(client, auth, "open")
    r = act(client, auth, "call", ticket="A002")
    assert r.json["id"] == b["id"]
    assert act(client, auth, "no-show").json["status"] == "no_show"
    assert act(client, auth, "recall", ticket=b["id"]).json["status"] == "called"


def test_transfer_keeps_id_and_number(client, auth):
    t = issue(client, auth).json
    act(client, auth, "open")
    act(client, auth, "call-next")
    r = act(client, auth, "transfer", queue="police", position="first")
    assert (r.json["id"], r.json["number"], r.json["queue"], r.json["status"]) == (
        t["id"], "A001", "police", "waiting")


def test_citizen_cancels(client, auth):
    t = issue(client, auth).json
    r = client.delete(f"/api/v1/tickets/{t['id']}")
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert client.delete(f"/api/v1/tickets/{t['id']}").status_code == 409


def test_idempotency_key_returns_the_same_ticket(client, auth):
    h = {**auth.headers("kiosk-east"), "Idempotency-Key": "tap-0001-abcdef"}
    a = client.post("/api/v1/centers/east/tickets", json={"queue": "general"}, headers=h)
    b = client.post("/api/v1/centers/east/tickets", json={"queue": "general"}, headers=h)
    assert a.status_code == b.status_code == 201
    assert a.json == b.json
    assert b.headers.get("Idempotent-Replayed") == "true"
    assert client.get("/api/v1/centers/east").json["queues"][0]["waiting"] == 1
    c = client.post("/api/v1/centers/east/tickets", json={"queue": "police"}, headers=h)
    assert c.status_code == 409


def test_public_ticket_is_a_phone_ticket(client, auth):
    r = client.post("/api/v1/centers/east/tickets", json={"item": "marriage"})
    assert r.status_code == 201 and r.json["channel"] == "phone" and r.json["item"] == "marriage"


def test_closed_and_quota_are_503(client, auth, clock):
    for _ in range(5):
        assert issue(client, auth, queue="tax").status_code == 201
    r = issue(client, auth, queue="tax")
    assert r.status_code == 503 and r.json["error"]["code"] == "quota_reached"
    clock.set("2026-11-26 20:00")
    r = issue(client, auth)
    assert r.status_code == 503 and r.json["error"]["code"] == "closed"


def test_manager_assigns_queues(client, auth):
    h = auth.headers("manager-east")
    r = client.put("/api/v1/centers/east/windows/3/queues", json={"queues": ["tax", "general"],
                                                                  "mode": "longest_wait"}, headers=h)
    assert r.status_code == 200 and r.json["queues"] == ["tax", "general"] and r.json["mode"] == "longest_wait"
    r = client.put("/api/v1/centers/east/windows/3/queues", json={"queues": ["tax"]},
                   headers=auth.headers("staff-east"))
    assert r.status_code == 403


def test_events_from_a_sequence_number(client, auth):
    issue(client, auth)
    h = auth.headers("manager-east")
    r = client.get("/api/v1/centers/east/events?after=0", headers=h)
    assert r.status_code == 200
    types = [e["type"] for e in r.json["events"]]
    assert types[:2] == ["center_configured", "day_started"] and types[-1] == "ticket_issued"
    seqs = [e["seq"] for e in r.json["events"]]
    assert seqs == list(range(1, len(seqs) + 1))
    r = client.get(f"/api/v1/centers/east/events?after={seqs[-2]}", headers=h)
    assert [e["seq"] for e in r.json["events"]] == [seqs[-1]]
    blank = client.get("/api/v1/centers/east/events?after=&limit=", headers=h)     # a form left empty
    assert blank.status_code == 200 and [e["seq"] for e in blank.json["events"]] == seqs


def test_centers_and_items_are_public(client):
    r = client.get("/api/v1/centers")
    assert [c["id"] for c in r.json["centers"]] == ["east", "west"]
    items = client.get("/api/v1/centers/east/items").json["items"]
    assert items[0]["materials"] == ["户口簿", "居民身份证"] and items[0]["queue"] == "general"


def test_login_wrong_password(client, auth):
    r = client.post("/api/v1/auth/login", json={"username": "staff-east", "password": "nope-nope"})
    assert r.status_code == 401 and r.json["error"]["code"] == "invalid_credentials"


def test_openapi_lists_every_route(app, client):
    doc = client.get("/api/v1/openapi.json").json
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("openapi.json"):
            continue
        names = {"cid": "center", "tid": "ticket"}
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + names.get(m.group(1), m.group(1)) + "}",
                      rule.rule[len("/api/v1"):]).replace("{action}", "<action>")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if "<action>" in path:
                assert any(m == method and p.startswith(path.split("<action>")[0]) for m, p in documented)
            else:
                assert (method, path) in documented, (method, path)


def test_login_gives_a_working_token(client, auth):
    r = client.post("/api/v1/auth/login", json={"username": "staff-east", "password": "pw-123456"})
    assert r.status_code == 200 and r.json["role"] == "staff" and r.json["center"] == "east"
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {r.json['token']}"})
    assert me.json["name"] == "staff-east" and me.json["staff_no"] == "01007"


def test_a_new_password_ends_old_tokens(client, auth, hall):
    from hall.auth import hash_password
    old = auth.headers("staff-east")
    hall.execute_district("add-user", {"username": "staff-east", "role": "staff", "center": "east",
                                       "password": hash_password("another-pw")})
    assert client.get("/api/v1/auth/me", headers=old).status_code == 401
