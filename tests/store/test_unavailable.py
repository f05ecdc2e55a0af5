"""A Redis that cannot be reached refuses an append with a clear 503, not an exception the API turns
into 500 (a cluster switching masters meets the same path)."""
import pytest

from hall.store import Unavailable
from hall.store.redis import RedisStore
from tests.helpers import RedisServer


def test_an_append_to_a_redis_that_is_gone_is_refused_503(tmp_path):
    server = RedisServer(tmp_path)
    store = RedisStore(server.url)
    try:
        assert store.append("c1", 0, [{"type": "x"}]) == [1]
        server.stop()
        with pytest.raises(Unavailable) as e:
            store.append("c1", 1, [{"type": "x"}])
        assert (e.value.status, e.value.code) == (503, "store_unavailable")
    finally:
        store.close()
        if server.proc.poll() is None:
            server.stop()


def test_reads_of_a_redis_that_is_gone_are_503_not_404_or_500(tmp_path):
    """A ticket or a centre that cannot be read now is not "no such ticket": the answer is 503 with
    the store's error, for reads as for writes, and the client is told when to try again."""
    from hall import catalog
    from hall.app import create_app
    from tests.conftest import Auth
    from tests.helpers import always_open, small_center
    server = RedisServer(tmp_path)
    app = create_app({"DATA_DIR": str(tmp_path), "REDIS_URL": server.url, "SECRET_KEY": "s", "RATE_LIMIT_PER_S": 0})
    try:
        catalog.load(app.extensions["hall"], catalog.parse({"centers": [always_open(small_center("east"))]}))
        kiosk = Auth(app, None).device("kiosk-east", "kiosk", "east")
        client = app.test_client()
        r = client.post("/api/v1/centers/east/tickets", json={"queue": "police"}, headers=kiosk)
        assert r.status_code == 201
        ticket = r.get_json()["id"]
        server.stop()
        for method, path in (("GET", f"/api/v1/tickets/{ticket}"), ("GET", "/api/v1/centers/east"),
                             ("GET", "/api/v1/centers"), ("POST", "/api/v1/centers/east/tickets")):
            r = client.open(path, method=method, json={"queue": "police"} if method == "POST" else None,
                            headers=kiosk)
            assert r.status_code == 503, (path, r.status_code, r.get_data(as_text=True))
            assert r.get_json()["error"]["code"] == "store_unavailable" and r.headers["Retry-After"] == "1"
            assert "系统正在切换" in r.get_json()["error"]["message"]
    finally:
        app.extensions["hall"].store.close()
        if server.proc.poll() is None:
            server.stop()
