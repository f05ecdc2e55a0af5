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
