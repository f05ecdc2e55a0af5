"""The Socket.IO message queue (hall/message_queue.py) on a real Redis and a real Redis Cluster:
a command is one publish that carries every message it causes, in the order the screens hear them."""
import json
import time

import pytest
import redis

from hall import catalog
from hall.app import create_app
from hall.message_queue import CHANNEL
from tests.helpers import RedisCluster, always_open, small_center

from .conftest import Api


@pytest.fixture(params=["redis", "cluster"])
def queue(request, tmp_path, clock):
    """(an app on Redis or on a cluster, a client subscribed to the queue's channel on some node)."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        node = redis.Redis.from_url(url)
    else:
        url = request.getfixturevalue("cluster_url")
        # the last node of the cluster, not the one the app names: a cluster carries a PUBLISH to all
        node = request.getfixturevalue("redis_cluster").nodes[-1][2]
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "REDIS_URL": url, "CLOCK": clock, "SECRET_KEY": "s",
                      "RATE_LIMIT_PER_S": 0})
    hall = app.extensions["hall"]
    catalog.load(hall, catalog.parse({"centers": [small_center("east")]}))
    sub = node.pubsub(ignore_subscribe_messages=True)
    sub.subscribe(CHANNEL)
    yield hall, sub
    sub.close()
    hall.store.close()


def published_until(sub, seq, timeout=10):
    """The messages published on the channel up to the one whose emits carry `seq`."""
    got, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = sub.get_message(timeout=0.2)
        if m is None:
            continue
        got.append(json.loads(m["data"]))
        if any(e[1].get("seq") == seq for e in got[-1].get("emits", ())):
            return got
    raise AssertionError(f"no message with seq {seq} within {timeout} s; got {got}")


def test_a_command_is_one_publish_with_all_its_messages(queue):
    hall, sub = queue
    hall.execute("east", "open", {"window": 1})
    hall.execute("east", "issue", {"queue": "general"})
    published_until(sub, hall.state("east").version)        # what came before is not counted
    hall.execute("east", "call-next", {"window": 1})
    called = hall.state("east").version
    hall.execute("east", "start", {"window": 1})
    started = hall.state("east").version
    call_batch, start_batch = published_until(sub, started)     # one publish each, nothing between
    assert call_batch["method"] == start_batch["method"] == "batch"
    emits = call_batch["emits"]
    # the call first; the ticket's details to the staff room alone
    assert [name for name, _, _ in emits] == ["call", "window", "queue", "queue", "ticket"]
    assert emits[-1][2] == ["center:east:staff"]
    assert {(m["seq"], m["prev"]) for _, m, _ in emits} == {(called, called - 1)}
    assert emits[0][1]["ticket"] == "A001"
    assert emits[0][2] == ["center:east", "center:east:window:1"]   # the centre's room and the window's
    assert {m["seq"] for _, m, _ in start_batch["emits"]} == {started}


@pytest.fixture
def own_cluster(tmp_path_factory):
    """A cluster of this test's own: it kills a node."""
    cluster = RedisCluster(tmp_path_factory.mktemp("queue-cluster"))
    yield cluster
    cluster.stop()


def test_real_time_moves_to_another_node_when_its_node_dies(own_cluster, hall_server, listeners):
    replica_port, replica_proc, _ = own_cluster.nodes[-1]
    # both processes name a replica first, so the queue publishes and listens there; the store's
    # appends do not wait for replicas here, so losing one changes nothing for them
    url = f"redis://127.0.0.1:{replica_port}/0,{own_cluster.url}"
    first = hall_server(centers=[always_open(small_center("east"))], redis_url=url)
    second = hall_server(redis_url=url, join=first)
    for s in (first, second):
        s.env["HALL_REDIS_WAIT_REPLICAS"] = "0"
        s.start()
    api = Api(first)
    screen = listeners(second.url, center="east").connect()
    screen.wait_for(lambda s: s.of("snapshot"))
    api.window(1, "open")
    api.issue()
    api.issue()
    api.window(1, "call-next")
    screen.wait_for(lambda s: s.calls(), what="the first call")
    replica_proc.kill()
    replica_proc.wait(10)

    # until both processes have moved to another node, a recall may be lost to the screen (which
    # would then ask for a snapshot): recall until one is heard, then the next call must follow
    deadline = time.monotonic() + 30
    while not any(c["recall"] for c in screen.calls()):
        assert time.monotonic() < deadline, "no call heard across the processes after the node died"
        api.window(1, "recall")
        try:
            screen.wait_for(lambda s: any(c["recall"] for c in s.calls()), timeout=0.5)
        except AssertionError:
            pass
    api.window(1, "start")
    api.window(1, "call-next")
    calls = screen.wait_for(lambda s: s.calls()[-1]["ticket"] == "A002" and s.calls(), what="the call of A002")
    assert calls[-1]["recall"] is False and calls[-1]["window"] == 1
