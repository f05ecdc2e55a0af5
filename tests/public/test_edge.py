"""The public edge: cache (≤ TTL stale, dropped by this process's own commands), ETag/304,
rate limits per client (memory, and shared through a real Redis), CORS."""
import time

import pytest

from hall.centre import Hall
from hall.public.edge import client_key
from hall.store import open_store
from tests.conftest import Auth
from tests.public.conftest import issue


class FakeMonotonic:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def edge_clock():
    return FakeMonotonic()


def _kiosk(app, client):
    auth = Auth(app, client)
    auth.device("kiosk-east", "kiosk", "east")
    auth.user("staff-east", "staff", "east")
    return auth


# --- ETag and 304 ---

@pytest.mark.parametrize("path", ["/api/v1/centers", "/api/v1/centers/east", "/api/v1/centers/east/items"])
def test_etag_and_304(make_app, path):
    client = make_app().test_client()
    first = client.get(path)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and first.json
    assert "max-age=1" in first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get(path, headers={"If-None-Match": 'W/"x", ' + etag}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_ticket_etag_changes_when_the_ticket_does(make_app):
    app = make_app()
    client = app.test_client()
    auth = _kiosk(app, client)
    t = issue(client, auth.headers("kiosk-east"))
    r = client.get(f"/api/v1/tickets/{t['id']}")
    assert r.headers["Cache-Control"] == "private, no-cache"
    etag = r.headers["ETag"]
    assert client.get(f"/api/v1/tickets/{t['id']}", headers={"If-None-Match": etag}).status_code == 304
    client.delete(f"/api/v1/tickets/{t['id']}")
    r = client.get(f"/api/v1/tickets/{t['id']}", headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.json["status"] == "cancelled" and r.headers["ETag"] != etag


def test_unknown_paths_are_not_cached_and_stay_404(make_app):
    client = make_app().test_client()
    for path in ("/api/v1/centers/nowhere", "/api/v1/tickets/east.nope-nope-nope", "/api/v1/centers/nowhere/items"):
        r = client.get(path)
        assert r.status_code == 404 and r.json["error"]["code"] and "ETag" not in r.headers


def test_head_answers_headers_only(make_app):
    client = make_app().test_client()
    get = client.get("/api/v1/centers")
    head = client.head("/api/v1/centers")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert int(head.headers["Content-Length"]) == len(get.data)


# --- the cache ---

def test_own_commands_show_at_once(make_app, edge_clock):
    app = make_app()
    app.extensions["public_edge"].clock = edge_clock
    client = app.test_client()
    auth = _kiosk(app, client)
    waiting = lambda: next(q["waiting"] for q in client.get("/api/v1/centers").json["centers"][0]["queues"]
                           if q["id"] == "general")
    assert waiting() == 0
    issue(client, auth.headers("kiosk-east"))
    assert waiting() == 1            # the same instant on the cache's clock: dropped by the listener


def test_another_process_is_seen_within_the_ttl(make_app, edge_clock, tmp_path):
    """A second gateway on the same SQLite file (another process) issues a ticket: this process's
    answer may be the cached one until the TTL runs out, and not a moment longer."""
    app = make_app(PUBLIC_CACHE_TTL=1.0)
    app.extensions["public_edge"].clock = edge_clock
    client = app.test_client()
    before = client.get("/api/v1/centers/east").json
    other = Hall(open_store(str(tmp_path / "data0")), clock=app.extensions["hall"].clock)
    try:
        other.execute("east", "issue", {"queue": "general", "channel": "kiosk"})
    finally:
        other.store.close()
    edge_clock.now += 0.5
    assert client.get("/api/v1/centers/east").json == before          # cached, 0.5 s old
    edge_clock.now += 0.51
    after = client.get("/api/v1/centers/east").json
    assert after["seq"] == before["seq"] + 1
    assert next(q for q in after["queues"] if q["id"] == "general")["waiting"] == 1


def test_a_ticket_read_with_no_cache_sees_another_process(make_app, edge_clock, tmp_path):
    app = make_app()
    app.extensions["public_edge"].clock = edge_clock
    client = app.test_client()
    auth = _kiosk(app, client)
    t = issue(client, auth.headers("kiosk-east"))
    assert client.get(f"/api/v1/tickets/{t['id']}").json["status"] == "waiting"
    other = Hall(open_store(str(tmp_path / "data0")), clock=app.extensions["hall"].clock)
    try:
        other.execute("east", "cancel", {"ticket": t["id"]})
    finally:
        other.store.close()
    assert client.get(f"/api/v1/tickets/{t['id']}").json["status"] == "waiting"     # within the TTL
    r = client.get(f"/api/v1/tickets/{t['id']}", headers={"Cache-Control": "max-age=0"})   # a browser's no-cache fetch
    assert r.json["status"] == "cancelled"
    assert client.get(f"/api/v1/tickets/{t['id']}").json["status"] == "cancelled"   # and it refilled the cache


def test_the_district_list_ignores_no_cache(make_app, edge_clock, tmp_path):
    app = make_app()
    app.extensions["public_edge"].clock = edge_clock
    client = app.test_client()
    before = client.get("/api/v1/centers").json
    other = Hall(open_store(str(tmp_path / "data0")), clock=app.extensions["hall"].clock)
    try:
        other.execute("east", "issue", {"queue": "general", "channel": "kiosk"})
    finally:
        other.store.close()
    assert client.get("/api/v1/centers", headers={"Cache-Control": "no-cache"}).json == before


# --- rate limits ---

def test_429_with_retry_after_per_client(make_app):
    app = make_app(RATE_LIMIT_PER_S=0.5, RATE_LIMIT_BURST=3)
    client = app.test_client()
    a = {"REMOTE_ADDR": "203.0.113.7"}
    codes = [client.get("/api/v1/centers", environ_base=a).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = client.get("/api/v1/centers/east", environ_base=a)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "2"            # one token back at 0.5 per second
    assert r.json["error"]["code"] == "rate_limited" and "2" in r.json["error"]["message"]
    assert client.get("/m/", environ_base=a).status_code == 429
    # another client is not affected; neither are pages outside the public edge
    assert client.get("/api/v1/centers", environ_base={"REMOTE_ADDR": "203.0.113.8"}).status_code == 200
    assert client.get("/display/east", environ_base=a).status_code == 200


def test_ipv6_clients_count_by_64():
    e1 = {"REMOTE_ADDR": "2001:db8:1:2:aaaa::1"}
    e2 = {"REMOTE_ADDR": "2001:db8:1:2:bbbb::9"}
    assert client_key(e1) == client_key(e2) == "2001:db8:1:2::/64"


@pytest.mark.parametrize("proxies", [0, 1])
def test_only_a_trusted_proxys_forwarded_for_is_believed(make_app, proxies):
    """Behind one proxy, the hop it appended is the client; with none configured, the peer is."""
    app = make_app(RATE_LIMIT_PER_S=0.01, RATE_LIMIT_BURST=1, TRUSTED_PROXIES=proxies)
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}

    def get(forwarded):
        return client.get("/api/v1/centers", environ_base=proxy, headers={"X-Forwarded-For": forwarded}).status_code
    # the first hop is whatever the client claims; only the last one is the proxy's own
    first, second = get("6.6.6.6, 198.51.100.1"), get("7.7.7.7, 198.51.100.2")
    assert (first, second) == ((200, 200) if proxies else (200, 429))
    assert get("8.8.8.8, 198.51.100.1") == 429      # the same client behind the proxy, whatever it claims


def test_a_valid_token_is_not_counted_and_a_bogus_one_is(make_app):
    """A kiosk and the phones on the hall's Wi-Fi share one address: the kiosk is never refused
    and does not use up the phones' budget; a token that stands for no one counts as none."""
    app = make_app(RATE_LIMIT_PER_S=0.01, RATE_LIMIT_BURST=2)
    client = app.test_client()
    auth = _kiosk(app, client)
    for _ in range(5):
        r = client.post("/api/v1/centers/east/tickets", json={"queue": "general"},
                        headers=auth.headers("kiosk-east"))
        assert r.status_code == 201
    bogus = {"Authorization": "Bearer not-a-token"}
    codes = [client.get("/api/v1/centers", headers=h).status_code for h in (bogus, {}, bogus)]
    assert codes == [200, 200, 429]
    assert client.get("/api/v1/centers", headers=auth.headers("staff-east")).status_code == 200


def test_limits_off(make_app):
    client = make_app(RATE_LIMIT_PER_S=0).test_client()
    assert all(client.get("/api/v1/centers").status_code == 200 for _ in range(50))


def test_redis_shares_one_budget_between_processes(make_app, redis_url):
    """Two apps on one Redis (two processes' worth of state): one client has one budget."""
    one = make_app(REDIS_URL=redis_url, RATE_LIMIT_PER_S=0.01, RATE_LIMIT_BURST=4)
    two = make_app(REDIS_URL=redis_url, RATE_LIMIT_PER_S=0.01, RATE_LIMIT_BURST=4)
    a, b = one.test_client(), two.test_client()
    who = {"REMOTE_ADDR": "198.51.100.20"}
    codes = [(a if i % 2 else b).get("/api/v1/centers", environ_base=who).status_code for i in range(6)]
    assert codes == [200, 200, 200, 200, 429, 429]
    r = a.get("/api/v1/centers", environ_base=who)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 60
    assert b.get("/api/v1/centers", environ_base={"REMOTE_ADDR": "198.51.100.21"}).status_code == 200


def test_redis_leases_keep_the_budget_exact_enough(redis_url):
    """A big budget is spent in leases (one Redis call per lease), never beyond burst + leases out."""
    import redis as redis_lib
    from hall.public.ratelimit import RedisLimiter
    r = redis_lib.Redis.from_url(redis_url)
    procs = [RedisLimiter(r, rate=0.001, burst=200) for _ in range(2)]
    assert procs[0].lease == 20
    allowed = sum(procs[i % 2].hit("10.9.9.9")[0] for i in range(300))
    assert allowed == 200


def test_memory_fallback_when_redis_is_gone():
    import redis as redis_lib
    from hall.public.ratelimit import RedisLimiter
    from tests.helpers import free_port
    dead = redis_lib.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2, retry=None)
    lim = RedisLimiter(dead, rate=0.01, burst=2)
    start = time.monotonic()
    assert [lim.hit("k")[0] for _ in range(3)] == [True, True, False]
    assert time.monotonic() - start < 1          # asked once, then left alone for a while


# --- CORS ---

def test_cors_for_configured_origins(make_app):
    client = make_app(CORS_ORIGINS="https://h5.example.gov.cn, https://mp.example.gov.cn").test_client()
    ok = {"Origin": "https://h5.example.gov.cn"}
    r = client.get("/api/v1/centers", headers=ok)
    assert r.headers["Access-Control-Allow-Origin"] == "https://h5.example.gov.cn"
    assert "ETag" in r.headers["Access-Control-Expose-Headers"]
    assert "Origin" in r.headers["Vary"]
    r = client.get("/api/v1/centers", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in r.headers and r.status_code == 200
    pre = client.options("/api/v1/centers/east/tickets", headers={
        **ok, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type, Idempotency-Key, X-Weird"})
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "https://h5.example.gov.cn"
    assert {"POST", "DELETE", "GET"} <= set(pre.headers["Access-Control-Allow-Methods"].split(", "))
    assert pre.headers["Access-Control-Allow-Headers"] == "Content-Type, Idempotency-Key"
    bad = client.options("/api/v1/centers", headers={"Origin": "https://evil.example.com",
                                                      "Access-Control-Request-Method": "GET"})
    assert bad.status_code == 403 and bad.json["error"]["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in bad.headers


def test_cors_star_and_env(make_app, monkeypatch):
    monkeypatch.setenv("HALL_CORS_ORIGINS", "*")
    client = make_app().test_client()
    r = client.get("/api/v1/centers/east", headers={"Origin": "https://anywhere.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    r = client.get("/api/v1/centers/east", headers={"Origin": "https://anywhere.example",
                                                    "If-None-Match": r.headers["ETag"]})
    assert r.status_code == 304 and r.headers["Access-Control-Allow-Origin"] == "*"


def test_no_cors_unless_configured(make_app):
    client = make_app().test_client()
    r = client.get("/api/v1/centers", headers={"Origin": "https://h5.example.gov.cn"})
    assert "Access-Control-Allow-Origin" not in r.headers
    pre = client.options("/api/v1/centers", headers={"Origin": "https://h5.example.gov.cn",
                                                      "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 403


def test_etag_matching(make_app):
    client = make_app().test_client()
    etag = client.get("/api/v1/centers").headers["ETag"]
    for header, status in (("*", 304), (f'"b", W/{etag}', 304), ("", 200), ('"ab"', 200)):
        assert client.get("/api/v1/centers", headers={"If-None-Match": header}).status_code == status


def test_openapi_documents_the_edge(make_app):
    doc = make_app().test_client().get("/api/v1/openapi.json").json
    for path in ("/centers", "/centers/{cid}", "/centers/{cid}/items", "/tickets/{tid}"):
        get = doc["paths"][path]["get"]
        assert {"200", "304", "429"} <= set(get["responses"]) and "ETag" in get["responses"]["200"]["headers"]
        assert any(p["name"] == "If-None-Match" for p in get["parameters"])
    assert "Retry-After" in doc["paths"]["/centers/{cid}/tickets"]["post"]["responses"]["429"]["headers"]
