"""A new stream's registration and its first append are two steps on Redis (the list of streams and
the centre live in different slots of a cluster): whichever step a crash interrupts, a stream that
holds events is listed, and a registered stream with nothing in it is not, after a restart of Redis."""
import pytest

from hall import catalog
from hall.app import create_app
from hall.store.redis import RedisStore
from tests.helpers import RedisServer, always_open, small_center


class Crash(Exception):
    pass


class CrashBeforeAppend(RedisStore):
    """Dies between registering a new stream and appending its first events."""

    def _append_events(self, stream, expected, events):
        raise Crash(stream)


class CrashInRegistration(RedisStore):
    def _register(self, stream):
        raise Crash(stream)


def ev(n):
    return {"type": "ticket_issued", "at": 1000.0 + n, "by": "test", "n": n}


@pytest.fixture
def durable_redis(tmp_path):
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis", durable=True)
    yield server
    server.stop()


@pytest.mark.parametrize("crashing", [CrashBeforeAppend, CrashInRegistration])
def test_a_crash_in_a_first_append_leaves_no_event_unlisted(durable_redis, crashing):
    store = crashing(durable_redis.url)
    with pytest.raises(Crash):
        store.append("east", 0, [ev(1)])
    store.close()
    again = durable_redis.restart()
    store = RedisStore(again.url)
    assert store.streams() == [] and store.version("east") == 0     # nothing was acknowledged
    assert store.append("east", 0, [ev(1)]) == [1]                  # the retry registers (again) and appends
    store.close()
    store = RedisStore(durable_redis.restart().url)
    assert store.streams() == ["east"] and store.version("east") == 1
    store.close()


def test_a_registered_stream_without_events_does_not_break_listing(durable_redis):
    """The app over a Redis where a centre was registered and the process died before its first
    events: the other centres list and answer, the half-born one is simply absent."""
    app = create_app({"REDIS_URL": durable_redis.url, "SECRET_KEY": "test-secret"})
    hall = app.extensions["hall"]
    catalog.load(hall, catalog.parse({"centers": [always_open(small_center("east"))]}))
    crashing = CrashBeforeAppend(durable_redis.url)
    with pytest.raises(Crash):
        crashing.append("west", 0, [ev(1)])
    crashing.close()
    hall.store.close()
    app = create_app({"REDIS_URL": durable_redis.restart().url, "SECRET_KEY": "test-secret"})
    r = app.test_client().get("/api/v1/centers")
    assert r.status_code == 200
    assert [c["id"] for c in r.get_json()["centers"]] == ["east"]
    assert app.test_client().get("/api/v1/centers/west").status_code == 404
    app.extensions["hall"].store.close()
