"""Two `hall serve` processes sharing a centre on a real Redis Cluster: what one issues the other
sees, the numbering runs on across them, and a screen on one hears a call made through the other."""
import requests

from tests.helpers import always_open, small_center
from tests.realtime.conftest import Listener


def test_two_processes_share_a_centre_on_a_cluster(hall_server, cluster_url, redis_cluster):
    a = hall_server(centers=[always_open(small_center("east"))], redis_url=cluster_url).start()
    b = hall_server(redis_url=redis_cluster.urls, join=a).start()       # every node named, comma-separated
    kiosk = a.headers("kiosk-east")
    numbers = []
    for i in range(6):
        server = (a, b)[i % 2]
        r = requests.post(f"{server.url}/api/v1/centers/east/tickets", json={"queue": "general"}, headers=kiosk,
                          timeout=10)
        assert r.status_code == 201, r.text
        ticket = r.json()
        numbers.append(ticket["number"])
        other = (b, a)[i % 2]
        seen = requests.get(f"{other.url}/api/v1/tickets/{ticket['id']}", timeout=10)
        assert seen.status_code == 200 and seen.json()["number"] == ticket["number"]
    assert numbers == [f"A{n:03d}" for n in range(1, 7)]
    # the events are on the cluster: the centre's stream sits on one master and a replica holds it too
    store_keys = [k for _, _, c in redis_cluster.nodes for k in c.keys("hall:{east}:events")]
    assert len(store_keys) == 2

    # real time across the processes: Socket.IO's queue is PUBLISH on the cluster
    screen = Listener(b.url, center="east").connect()
    try:
        screen.wait_for(lambda s: s.of("snapshot"))
        staff = a.headers("staff-east")
        assert requests.post(f"{a.url}/api/v1/centers/east/windows/1/open", headers=staff, timeout=10).ok
        assert requests.post(f"{a.url}/api/v1/centers/east/windows/1/call-next", headers=staff, timeout=10).ok
        [call] = screen.wait_for(lambda s: s.calls(), what="the call made through the other process")
        assert (call["ticket"], call["window"]) == ("A001", 1)
    finally:
        screen.disconnect()


def test_an_append_no_replica_confirms_is_answered_503(cluster_url, tmp_path, monkeypatch):
    from hall import catalog
    from hall.app import create_app
    from hall.config import read
    from tests.conftest import Auth
    config = {"DATA_DIR": str(tmp_path), "REDIS_URL": cluster_url, "SECRET_KEY": "s", "RATE_LIMIT_PER_S": 0}
    ready = create_app(config)
    catalog.load(ready.extensions["hall"], catalog.parse({"centers": [always_open(small_center("east"))]}))
    kiosk = Auth(ready, None).device("kiosk-east", "kiosk", "east")
    monkeypatch.setenv("HALL_REDIS_WAIT_REPLICAS", "2")        # each master has only one replica
    assert read()["REDIS_WAIT_REPLICAS"] == 2
    app = create_app(config)
    client = app.test_client()
    r = client.post("/api/v1/centers/east/tickets", json={"queue": "general"}, headers=kiosk)
    assert r.status_code == 503
    assert r.get_json()["error"]["code"] == "store_not_durable"
    # written on the master all the same (not reported as durable, not undone): the next one numbers on
    r = ready.test_client().post("/api/v1/centers/east/tickets", json={"queue": "general"}, headers=kiosk)
    assert r.status_code == 201 and r.get_json()["number"] == "A002"
    for a in (ready, app):
        a.extensions["hall"].store.close()
