"""The generated OpenAPI document against real answers: every GET with real data, the edge's
answers (304, 429), and the checker itself (it must fail on an answer that breaks the document)."""
import re

import jsonschema
import pytest

from hall.api.spec import PREFIX
from tests.api.openapi_check import CheckedClient, check
from tests.helpers import small_center


@pytest.fixture
def busy(client, auth, hall):
    """A centre with waiting, called and served tickets, a rating, a booking and a device report."""
    cfg = small_center("east")
    cfg["queues"][0]["appointments"] = {"slots": ["10:30-11:30"], "capacity": 2}
    hall.execute("east", "configure", {"config": cfg})
    kiosk, staff = auth.headers("kiosk-east"), auth.headers("staff-east")
    tickets = [client.post("/api/v1/centers/east/tickets", json={"queue": q}, headers=kiosk).json
               for q in ("general", "general", "police")]
    client.post("/api/v1/centers/east/windows/1/open", headers=staff)
    client.post("/api/v1/centers/east/windows/1/call-next", headers=staff)
    client.post("/api/v1/centers/east/windows/1/start", headers=staff)
    client.post("/api/v1/centers/east/windows/1/finish", headers=staff)
    client.post(f"/api/v1/tickets/{tickets[0]['id']}/evaluation",
                json={"score": 2, "comment": "慢", "options": ["inefficient"]})
    client.post("/api/v1/centers/east/windows/1/call-next", headers=staff)
    booking = client.post("/api/v1/centers/east/appointments", json={
        "queue": "general", "day": "2026-11-26", "slot": "10:30-11:30", "name": "张三", "phone": "13812345678"}).json
    client.post("/api/v1/centers/east/devices/status", json={"status": "fault", "detail": "缺纸"}, headers=kiosk)
    return {"cid": "east", "tid": tickets[1]["id"], "code": booking["code"], "number": "1"}


QUERIES = {"/centers/<cid>/appointments": "?queue=general&day=2026-11-26"}


def test_every_get_with_real_data_matches_the_document(app, client, auth, busy):
    before = CheckedClient.checked
    walked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/") or "GET" not in rule.methods or rule.rule.endswith("openapi.json"):
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: busy[m.group(1)], rule.rule) + QUERIES.get(
            rule.rule[len(PREFIX):], "")
        r = client.get(url, headers=auth.headers("manager-east"))
        assert r.status_code == 200, (url, r.get_data(as_text=True))
        walked += 1
    assert walked >= 15 and CheckedClient.checked - before == walked


def test_the_edge_answers_match_the_document(app, client, auth, busy):
    r = client.get("/api/v1/centers/east")
    again = client.get("/api/v1/centers/east", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    app.extensions["public_edge"].limiter = type(app.extensions["public_edge"].limiter)(1, 1)
    statuses = {client.post("/api/v1/centers/east/tickets", json={"queue": "general"}).status_code
                for _ in range(3)}
    assert 429 in statuses     # checked against the document like every other answer


def test_a_wrong_answer_fails_the_check(app, client, auth):
    t = client.post("/api/v1/centers/east/tickets", json={"queue": "general"}, headers=auth.headers("kiosk-east"))
    doc = client.get("/api/v1/openapi.json").json
    broken = t.json.copy()
    del broken["number"]
    t.set_data(__import__("json").dumps(broken))
    with pytest.raises(jsonschema.ValidationError):
        check(app, doc, "POST", "/api/v1/centers/east/tickets", t)
    t.status_code = 418
    with pytest.raises(AssertionError):
        check(app, doc, "POST", "/api/v1/centers/east/tickets", t)


def test_the_document_is_valid_openapi(client):
    from openapi_spec_validator import validate
    validate(client.get("/api/v1/openapi.json").json)
