import pytest

from tests.helpers import RedisCluster


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):
    """Three masters and three replicas, started once for the session and killed at its end."""
    cluster = RedisCluster(tmp_path_factory.mktemp("redis-cluster"))
    yield cluster
    cluster.stop()


@pytest.fixture
def cluster_url(redis_cluster):
    redis_cluster.flush()
    return redis_cluster.url
