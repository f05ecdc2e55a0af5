"""Every endpoint, walked with bad input, no token, wrong roles and centres: the right 4xx, never a 500."""
import pytest
from hypothesis import given, settings, HealthCheck, strategies as st

from tests.helpers import routes_not_walked

WINDOW_ACTIONS = ["open", "pause", "resume", "close", "call-next", "call", "recall", "start", "finish",
                  "no-show", "transfer"]
BAD_JSON = b'{"queue": '


def _ticket(client, auth, done=False):
    t = client.post("/api/v1/centers/east/tickets", json={"queue": "general"},
                    headers=auth.headers("kiosk-east")).json
    if done:
        h = auth.headers("staff-east")
        client.post("/api/v1/centers/east/windows/1/open", headers=h)
        client.post("/api/v1/centers/east/windows/1/call-next", headers=h)
        client.post("/api/v1/centers/east/windows/1/finish", headers=h)
    return t["id"]


# (method, path, body, who, expected status); {t} is a waiting ticket, {d} a served one
CASES = [
    ("POST", "/auth/login", BAD_JSON, None, 400),
    ("POST", "/auth/login", {"username": 5, "password": "x"}, None, 400),
    ("POST", "/auth/login", {"username": "nobody", "password": "whatever"}, None, 401),
    ("POST", "/auth/login", [], None, 400),
    ("GET", "/auth/me", None, None, 401),
    ("GET", "/auth/me", None, "bogus", 401),
    ("GET", "/centers/nowhere", None, None, 404),
    ("GET", "/centers/nowhere/items", None, None, 404),
    ("POST", "/centers/east/tickets", BAD_JSON, "kiosk-east", 400),
    ("POST", "/centers/east/tickets", {"queue": 5}, "kiosk-east", 400),
    ("POST", "/centers/east/tickets", {}, "kiosk-east", 400),
    ("POST", "/centers/east/tickets", {"queue": "nope"}, "kiosk-east", 404),
    ("POST", "/centers/east/tickets", {"item": "nope"}, "kiosk-east", 404),
    ("POST", "/centers/east/tickets", {"queue": "general", "priority": "vip"}, "kiosk-east", 400),
    ("POST", "/centers/east/tickets", {"queue": "general", "priority": "priority"}, None, 403),
    ("POST", "/centers/nowhere/tickets", {"queue": "general"}, "kiosk-east", 404),
    ("POST", "/centers/east/tickets", {"queue": "general"}, "display-east", 403),
    ("POST", "/centers/west/tickets", {"queue": "general"}, "kiosk-east", 403),
    ("POST", "/centers/east/tickets", {"queue": "general"}, "bogus", 401),
    ("GET", "/tickets/east.nope", None, None, 404),
    ("GET", "/tickets/nope", None, None, 404),
    ("DELETE", "/tickets/east.nope", None, None, 404),
    ("POST", "/tickets/east.nope/evaluation", {"score": 5}, None, 404),
    ("POST", "/tickets/{d}/evaluation", BAD_JSON, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": "5"}, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": 9}, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": 5}, "staff-east", 403),
    ("POST", "/tickets/{t}/evaluation", {"score": 5}, None, 409),
    ("POST", "/tickets/{d}/evaluation", {"score": 2}, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": 1, "options": []}, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": 5, "options": ["nope"]}, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": 5, "options": ["attitude_bad"]}, None, 400),
    ("POST", "/centers/east/evaluations", {"number": "A001"}, "kiosk-east", 400),
    ("POST", "/centers/east/evaluations", BAD_JSON, "kiosk-east", 400),
    ("POST", "/centers/east/evaluations", {"number": "A001", "score": 5}, None, 401),
    ("POST", "/centers/nowhere/evaluations", {"number": "A001", "score": 5}, "kiosk-east", 404),
    ("POST", "/tickets/{d}/evaluation", {"score": 2, "options": ["slow", "inefficient"]}, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": 2, "options": ["other", "other"]}, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": 2, "options": "other"}, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": 2, "options": [7]}, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": 5}, "display-east", 403),
    ("PUT", "/centers/east/windows/1/queues", {"queues": ["tax"]}, None, 401),
    ("PUT", "/centers/east/windows/1/queues", {"queues": ["tax"]}, "staff-east", 403),
    ("PUT", "/centers/west/windows/1/queues", {"queues": ["tax"]}, "manager-east", 403),
    ("PUT", "/centers/east/windows/1/queues", {"queues": "tax"}, "manager-east", 400),
    ("PUT", "/centers/east/windows/1/queues", {"queues": [1]}, "manager-east", 400),
    ("PUT", "/centers/east/windows/1/queues", {"queues": ["nope"]}, "manager-east", 404),
    ("PUT", "/centers/east/windows/99/queues", {"queues": ["tax"]}, "manager-east", 404),
    ("PUT", "/centers/east/windows/1/queues", BAD_JSON, "manager-east", 400),
    ("PUT", "/centers/east/windows/1/queues", {"queues": ["tax"], "mode": "fast"}, "manager-east", 400),
    ("GET", "/centers/east/events", None, None, 401),
    ("GET", "/centers/east/events", None, "staff-east", 403),
    ("GET", "/centers/west/events", None, "manager-east", 403),
    ("GET", "/centers/east/events?after=-1", None, "manager-east", 400),
    ("GET", "/centers/east/events?after=abc", None, "manager-east", 400),
    ("GET", "/centers/nowhere/events", None, "manager-east", 404),
    ("POST", "/centers/east/devices/status", {"status": "ok"}, None, 401),
    ("POST", "/centers/east/devices/status", {"status": "ok"}, "staff-east", 403),
    ("POST", "/centers/east/devices/status", {"status": "melting"}, "kiosk-east", 400),
    ("POST", "/centers/east/devices/status", BAD_JSON, "kiosk-east", 400),
    ("POST", "/centers/west/devices/status", {"status": "ok"}, "kiosk-east", 403),
    ("GET", "/centers/east/appointments", None, None, 400),
    ("GET", "/centers/east/appointments?queue=police", None, None, 409),
    ("GET", "/centers/east/appointments?queue=nope", None, None, 404),
    ("GET", "/centers/east/appointments?queue=general&day=soon", None, None, 400),
    ("GET", "/centers/nowhere/appointments?queue=general", None, None, 404),
    ("POST", "/centers/east/appointments", BAD_JSON, None, 400),
    ("POST", "/centers/east/appointments", {"queue": "police", "day": "2026-11-26", "slot": "10:00-11:00",
                                            "name": "张三", "phone": 13812345678}, None, 400),
    ("POST", "/centers/nowhere/appointments", {}, None, 404),
    ("GET", "/centers/east/appointments/00000000", None, None, 404),
    ("DELETE", "/centers/east/appointments/00000000", {"phone": "13812345678"}, None, 404),
    ("DELETE", "/centers/east/appointments/00000000", {}, None, 400),
    ("DELETE", "/centers/east/appointments/00000000", {}, "staff-east", 403),
    ("POST", "/centers/east/appointments/00000000/check-in", None, "kiosk-east", 404),
    ("POST", "/centers/east/appointments/00000000/check-in", None, "display-east", 403),
    ("POST", "/centers/east/tickets", {"appointment_code": 5}, "kiosk-east", 400),
    ("POST", "/centers/east/tickets", {"appointment_code": "00000000"}, "kiosk-east", 404),
    ("POST", "/centers/east/tickets", {"queue": "general", "phone": "123"}, None, 400),
    ("GET", "/nothing-here", None, None, 404),
    ("PATCH", "/centers/east", None, None, 405),
    ("POST", "/centers/east/windows/1/dance", {}, "staff-east", 404),
    ("POST", "/centers/east/windows/one/open", {}, "staff-east", 404),
    ("POST", "/centers/east/windows/1/call", {"ticket": 5}, "staff-east", 400),
    ("POST", "/centers/east/windows/1/call", {}, "staff-east", 400),
    ("POST", "/centers/east/windows/1/transfer", {"queue": []}, "staff-east", 400),
    ("POST", "/centers/east/windows/1/transfer", {"queue": "police", "position": "middle"}, "staff-east", 400),
    ("POST", "/centers/east/windows/1/pause", {"reason": 1}, "staff-east", 400),
    ("POST", "/centers/east/windows/1/recall", {"ticket": ["A001"]}, "staff-east", 400),
    # shapes the schema checks once, at the edge
    ("POST", "/tickets/east.nope/evaluation", {"score": "5"}, None, 404),
    ("POST", "/tickets/{d}/evaluation", {"score": 5, "comment": "慢" * 501}, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": True}, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": 0}, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": 4.5}, None, 400),
    ("POST", "/tickets/{d}/evaluation", {"score": None}, None, 400),
    ("POST", "/centers/east/tickets", {"queue": "general", "location": [91, 0]}, None, 400),
    ("POST", "/centers/east/tickets", {"queue": "general", "location": [22.5]}, None, 400),
    ("POST", "/centers/east/tickets", {"queue": "general", "location": "近"}, None, 400),
    ("POST", "/centers/east/tickets", {"queue": "x" * 65}, "kiosk-east", 400),
    ("POST", "/centers/east/tickets", {"queue": "general", "openid": 7}, None, 400),
    ("GET", "/centers/east/events?limit=0", None, "manager-east", 400),
    ("GET", "/centers/east/events?limit=1001", None, "manager-east", 400),
    ("POST", "/auth/login", {"username": "a"}, None, 400),
    ("POST", "/auth/login", "just text", None, 400),
]
for action in WINDOW_ACTIONS:
    CASES += [
        ("POST", f"/centers/east/windows/1/{action}", {}, None, 401),
        ("POST", f"/centers/east/windows/1/{action}", {}, "bogus", 401),
        ("POST", f"/centers/east/windows/1/{action}", {}, "staff-west", 403),
        ("POST", f"/centers/east/windows/1/{action}", {}, "kiosk-east", 403),
        ("POST", f"/centers/east/windows/1/{action}", {}, "display-east", 403),
        ("POST", f"/centers/east/windows/99/{action}", {}, "staff-east", 404),
        ("POST", f"/centers/nowhere/windows/1/{action}", {}, "staff-east", 404),
        ("POST", f"/centers/east/windows/1/{action}", BAD_JSON, "staff-east", 400),
    ]


def _send(client, auth, method, path, body, who, tickets):
    path = "/api/v1" + path.format(**tickets)
    headers = {}
    if who == "bogus":
        headers["Authorization"] = "Bearer not-a-token"
    elif who:
        headers.update(auth.headers(who))
    if isinstance(body, bytes):
        return client.open(path, method=method, data=body, headers={**headers, "Content-Type": "application/json"})
    return client.open(path, method=method, json=body, headers=headers)


@pytest.mark.parametrize("method, path, body, who, status", CASES,
                         ids=[f"{c[0]} {c[1]} {c[3]} {c[4]}" for c in CASES])
def test_bad_request_gets_the_right_4xx(client, auth, method, path, body, who, status):
    tickets = {}
    if "{" in path:
        tickets["d"] = _ticket(client, auth, done=True)
        tickets["t"] = _ticket(client, auth)
    r = _send(client, auth, method, path, body, who, tickets)
    assert r.status_code == status, r.get_data(as_text=True)
    assert set(r.json["error"]) == {"code", "message"} and r.json["error"]["message"]


@pytest.mark.parametrize("key", ["short", "k" * 129, "tab\there-ok"])
def test_a_bad_idempotency_key_is_400_naming_it(client, auth, key):
    r = client.post("/api/v1/centers/east/tickets", json={"queue": "general"},
                    headers={**auth.headers("kiosk-east"), "Idempotency-Key": key})
    assert r.status_code == 400 and "Idempotency-Key" in r.json["error"]["message"]


def test_a_refused_shape_names_the_field(client, auth):
    r = client.post("/api/v1/centers/east/tickets", json={"queue": 5}, headers=auth.headers("kiosk-east"))
    assert r.json["error"] == {"code": "bad_input", "message": "'queue' must be text"}
    r = client.post("/api/v1/centers/east/tickets", json={"queue": "general", "priority": "vip"},
                    headers=auth.headers("kiosk-east"))
    assert r.json["error"]["code"] == "bad_input" and "'priority' must be one of" in r.json["error"]["message"]


def test_every_api_route_is_walked(app):
    """Every route of the core API blueprints; other packages walk their own routes in their tests."""
    from hall.api import BLUEPRINTS
    ours = {bp.name for bp in BLUEPRINTS}
    walked = {(m, p.split("?")[0]) for m, p, *_ in CASES}
    walked.add(("GET", "/evaluation/options"))      # takes no input to refuse (tests/api/test_ratings.py)
    assert routes_not_walked(app, walked, lambda rule: rule.endpoint.split(".")[0] in ours
                             and not rule.rule.endswith(("openapi.json", "/centers"))) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10)
FUZZED = [("POST", "/centers/east/tickets", "kiosk-east"), ("POST", "/auth/login", None),
          ("PUT", "/centers/east/windows/1/queues", "manager-east"),
          ("POST", "/centers/east/devices/status", "kiosk-east")] + \
         [("POST", f"/centers/east/windows/1/{a}", "staff-east") for a in WINDOW_ACTIONS]


@pytest.mark.parametrize("method, path, who", FUZZED, ids=[f"{m} {p}" for m, p, _ in FUZZED])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(st.sampled_from(["queue", "item", "priority", "ticket", "position", "reason",
                                             "queues", "mode", "status", "username", "password", "score"]),
                            json_values, max_size=4) | json_values)
def test_random_json_never_500(client, auth, method, path, who, body):
    r = _send(client, auth, method, path, body, who, {})
    assert r.status_code < 500, r.get_data(as_text=True)
    if r.status_code >= 400:
        assert "error" in r.json
