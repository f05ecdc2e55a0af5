"""One suite, every store: what the gateway relies on (append-if-at-version, read-after, snapshots)."""
import threading

import pytest

from hall.core.lives import FORMAT, new_row
from hall.store import Conflict, Unavailable
from hall.store.memory import MemoryStore
from hall.store.redis import RedisStore, _key
from hall.store.sqlite import SQLiteStore


def ev(n, type_="ticket_issued", **facts):
    return {"type": type_, "at": 1000.0 + n, "by": "test", "n": n, **facts}


class Conformance:
    """Subclassed once per backend; `store` is a fresh, empty store."""

    def test_empty_stream(self, store):
        assert store.version("c1") == 0
        assert store.read("c1") == []
        assert store.streams() == []

    def test_append_numbers_events_from_one(self, store):
        assert store.append("c1", 0, [ev(1), ev(2)]) == [1, 2]
        assert store.append("c1", 2, [ev(3)]) == [3]
        got = store.read("c1")
        assert [e["seq"] for e in got] == [1, 2, 3]
        assert [e["n"] for e in got] == [1, 2, 3]
        assert store.version("c1") == 3

    def test_events_round_trip_exactly(self, store):
        e = ev(1, text="请 A001 号到 1 号窗口", nested={"a": [1, 2.5, None, True]}, none=None)
        store.append("c1", 0, [e])
        (back,) = store.read("c1")
        assert back == {**e, "seq": 1}

    def test_append_at_a_stale_version_conflicts_and_writes_nothing(self, store):
        store.append("c1", 0, [ev(1)])
        with pytest.raises(Conflict) as e:
            store.append("c1", 0, [ev(2), ev(3)])
        assert (e.value.expected, e.value.actual) == (0, 1)
        with pytest.raises(Conflict):
            store.append("c1", 5, [ev(2)])
        assert [e["n"] for e in store.read("c1")] == [1]

    def test_read_after_and_limit(self, store):
        store.append("c1", 0, [ev(i) for i in range(1, 8)])
        assert [e["seq"] for e in store.read("c1", after=4)] == [5, 6, 7]
        assert [e["seq"] for e in store.read("c1", after=2, limit=3)] == [3, 4, 5]
        assert store.read("c1", after=7) == []

    def test_streams_are_independent_and_listed_in_order_of_creation(self, store):
        store.append("zeta", 0, [ev(1)])
        store.append("alpha", 0, [ev(1)])
        store.append("zeta", 1, [ev(2)])
        assert store.version("zeta") == 2 and store.version("alpha") == 1
        assert store.streams() == ["zeta", "alpha"]

    def test_snapshots(self, store):
        assert store.load_snapshot("c1") is None
        store.save_snapshot("c1", {"version": 3, "state": {"x": "中文"}})
        store.save_snapshot("c1", {"version": 9, "state": {"x": "newer"}})
        assert store.load_snapshot("c1") == {"version": 9, "state": {"x": "newer"}}
        assert store.load_snapshot("c2") is None

    def test_secret_is_made_once(self, store):
        a = store.secret(lambda: "first")
        assert store.secret(lambda: "second") == a == "first"

    def test_concurrent_appends_never_share_a_version(self, store, other_store):
        """Two clients racing on one stream: every event lands exactly once, numbered 1..N."""
        won = {0: 0, 1: 0}

        def writer(s, who):
            for i in range(60):
                while True:
                    v = s.version("race")
                    try:
                        s.append("race", v, [ev(i, who=who)])
                        won[who] += 1
                        break
                    except Conflict:
                        continue
        threads = [threading.Thread(target=writer, args=(s, w)) for w, s in enumerate((store, other_store))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        events = store.read("race")
        assert [e["seq"] for e in events] == list(range(1, 121))
        assert won == {0: 60, 1: 60}
        assert sorted((e["who"], e["n"]) for e in events) == sorted((w, i) for w in (0, 1) for i in range(60))


    # --- aggregates: per-day rows next to the log, added to under a mark ---

    def test_aggregates_start_empty(self, store):
        assert store.aggregate_mark("c1") is None
        assert store.read_aggregates("c1", "2026-01-01", "2026-12-31") == {}

    def test_aggregates_add_up_and_move_the_mark(self, store):
        a = row(issued=2, waits={"60": 2}, hours={"9": 2}, scores=[0, 0, 0, 1, 0])
        assert store.add_aggregates("c1", {("2026-11-26", "centre", ""): a, ("2026-11-26", "queue", "A"): a},
                                    0, mark(4))
        b = row(issued=1, waits={"60": 1, "3700": 1}, hours={"10": 1}, name="张敏")
        assert store.add_aggregates("c1", {("2026-11-26", "centre", ""): b, ("2026-11-27", "staff", "zhang"): b},
                                    4, mark(9, day_seq=8))
        got = store.read_aggregates("c1", "2026-11-26", "2026-11-26")
        assert set(got) == {("2026-11-26", "centre", ""), ("2026-11-26", "queue", "A")}
        centre = got[("2026-11-26", "centre", "")]
        assert (centre["issued"], centre["waits"], centre["hours"], centre["scores"]) == \
            (3, {"60": 3, "3700": 1}, {"9": 2, "10": 1}, [0, 0, 0, 1, 0])
        assert got[("2026-11-26", "queue", "A")]["issued"] == 2
        later = store.read_aggregates("c1", "2026-11-27", "2026-12-31")
        assert later[("2026-11-27", "staff", "zhang")]["name"] == "张敏"
        assert store.aggregate_mark("c1") == mark(9, day_seq=8)
        assert store.read_aggregates("c2", "2026-01-01", "2026-12-31") == {}

    def test_an_update_from_a_stale_mark_changes_nothing(self, store):
        """What makes an update idempotent: a writer that retries after the mark moved is refused."""
        k = ("2026-11-26", "centre", "")
        assert store.add_aggregates("c1", {k: row(issued=1)}, 0, mark(3))
        assert not store.add_aggregates("c1", {k: row(issued=1)}, 0, mark(3))
        assert not store.add_aggregates("c1", {k: row(issued=5)}, 7, mark(9))
        assert store.read_aggregates("c1", "2026-11-26", "2026-11-26")[k]["issued"] == 1
        assert store.aggregate_mark("c1") == mark(3)

    def test_clearing_aggregates_forgets_rows_and_mark(self, store):
        store.add_aggregates("c1", {("2026-11-26", "centre", ""): row(issued=1)}, 0, mark(3))
        store.add_aggregates("c2", {("2026-11-26", "centre", ""): row(issued=1)}, 0, mark(3))
        store.clear_aggregates("c1")
        assert store.aggregate_mark("c1") is None
        assert store.read_aggregates("c1", "2026-01-01", "2026-12-31") == {}
        assert store.aggregate_mark("c2") == mark(3)

    def test_rows_read_back_are_copies(self, store):
        k = ("2026-11-26", "centre", "")
        store.add_aggregates("c1", {k: row(issued=1)}, 0, mark(1))
        store.read_aggregates("c1", "2026-11-26", "2026-11-26")[k]["issued"] = 99
        assert store.read_aggregates("c1", "2026-11-26", "2026-11-26")[k]["issued"] == 1


def row(**values):
    r = new_row()
    r.update(values)
    return r


def mark(seq, day_seq=1):
    return {"seq": seq, "day_seq": day_seq, "format": FORMAT}


class TestSQLite(Conformance):
    @pytest.fixture
    def store(self, tmp_path):
        s = SQLiteStore(str(tmp_path / "hall.db"))
        yield s
        s.close()

    @pytest.fixture
    def other_store(self, tmp_path, store):
        """A second connection to the same file, as a second process would have."""
        s = SQLiteStore(str(tmp_path / "hall.db"))
        yield s
        s.close()

    def test_survives_reopening(self, tmp_path):
        s = SQLiteStore(str(tmp_path / "again.db"))
        s.append("c1", 0, [ev(1)])
        s.close()
        s = SQLiteStore(str(tmp_path / "again.db"))
        assert [e["n"] for e in s.read("c1")] == [1]
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA synchronous").fetchone()[0] == 2    # FULL
        s.close()


class TestMemory(Conformance):
    @pytest.fixture
    def store(self):
        return MemoryStore()

    @pytest.fixture
    def other_store(self, store):
        return MemoryStore(shared=store)

    def test_what_is_read_is_a_copy(self, store):
        e = ev(1, nested={"a": [1]})
        store.append("c1", 0, [e])
        e["nested"]["a"].append(2)
        got = store.read("c1")[0]
        got["nested"]["a"].append(3)
        assert store.read("c1")[0]["nested"] == {"a": [1]}


class TestRedis(Conformance):
    @pytest.fixture
    def store(self, redis_url):
        s = RedisStore(redis_url)
        yield s
        s.close()

    @pytest.fixture
    def other_store(self, redis_url, store):
        s = RedisStore(redis_url)
        yield s
        s.close()

    def test_keys_of_a_centre_share_one_hash_tag(self, store, redis_server):
        store.append("c1", 0, [ev(1)])
        store.save_snapshot("c1", {"version": 1})
        keys = {k.decode() for k in redis_server.client.keys("hall:{c1}:*")}
        store.add_aggregates("c1", {("2026-11-26", "centre", ""): row(issued=1)}, 0, mark(1))
        keys = {k.decode() for k in redis_server.client.keys("hall:{c1}:*")}
        assert keys == {"hall:{c1}:events", "hall:{c1}:snapshot", "hall:{c1}:aggmark", "hall:{c1}:aggdays",
                        "hall:{c1}:agg:2026-11-26"}


class TestRedisCluster(Conformance):
    """The same suite on a real Redis Cluster (three masters, three replicas): the centres, the list of
    streams and the secret land in different slots, and every append waits for one replica."""

    @pytest.fixture
    def store(self, cluster_url):
        s = RedisStore(cluster_url)
        yield s
        s.close()

    @pytest.fixture
    def other_store(self, redis_cluster, store):
        s = RedisStore(redis_cluster.urls)      # named by every node, as a second process may be
        yield s
        s.close()

    def test_one_node_names_the_cluster(self, store, redis_cluster):
        assert store.cluster and store.wait_replicas == 1
        assert len(store.r.get_primaries()) == 3 and len(store.r.get_replicas()) == 3

    def test_the_keys_of_the_store_spread_over_the_masters(self, store):
        keys = [_key(c, "events") for c in ("c1", "c2", "c3", "c4", "c5", "c6")] + ["hall:streams", "hall:secret"]
        assert len({store.r.get_node_from_key(k).name for k in keys}) == 3

    def test_an_acknowledged_append_is_on_the_replica(self, store, redis_cluster):
        store.append("c1", 0, [ev(1)])
        master = store.r.get_node_from_key(_key("c1", "events"))
        replica = next(n for n in redis_cluster.replicas_of(master.port))
        pipe = replica.pipeline(transaction=False)      # one connection: READONLY, then the read
        pipe.execute_command("READONLY")
        pipe.xlen(_key("c1", "events"))
        assert pipe.execute()[1] == 1

    def test_fewer_replicas_than_asked_is_not_durable(self, cluster_url):
        s = RedisStore(cluster_url, wait_replicas=2)       # each master has one replica
        try:
            with pytest.raises(Unavailable) as e:
                s.append("c1", 0, [ev(1)])
            assert (e.value.status, e.value.code) == (503, "store_not_durable")
        finally:
            s.close()

    def test_waiting_can_be_turned_off(self, cluster_url):
        s = RedisStore(cluster_url, wait_replicas=0)
        try:
            assert s.append("c1", 0, [ev(1)]) == [1]
        finally:
            s.close()
