"""Everything else that uses the app's Redis works on a cluster too: one key (or one hash tag) per
command, so no command crosses slots. Each is driven through the client the app would make."""
from hall.public.memo import RedisMemo
from hall.public.ratelimit import RedisLimiter
from hall.public.subscriptions import RedisRegistry, Subscription
from hall.store.redis import connect, is_cluster


def test_rate_limit_leases_share_one_budget_across_processes(cluster_url, redis_cluster):
    one, two = connect(cluster_url), connect(redis_cluster.urls)
    try:
        assert is_cluster(one) and is_cluster(two)
        a, b = RedisLimiter(one, rate=0.001, burst=3), RedisLimiter(two, rate=0.001, burst=3)
        got = [limiter.hit("203.0.113.9")[0] for limiter in (a, b, a, b)]
        assert got == [True, True, True, False]             # one budget of 3, not 3 per process
        assert a._down_until == 0 and b._down_until == 0    # never fell back to local limits
    finally:
        one.close()
        two.close()


def test_the_memo_and_the_notification_registry(cluster_url):
    r = connect(cluster_url)
    try:
        memo = RedisMemo(r, prefix="hall:test-memo")
        assert memo.add("k", "first", 30) == "first" and memo.add("k", "second", 30) == "first"
        registry = RedisRegistry(r, owned=False)
        subs = [Subscription(f"{c}.t1", "sms", "1380000") for c in ("east", "west", "north", "south")]
        for s in subs:
            assert registry.add(s, 0)
        assert registry.for_center("west") == [subs[1]]
        assert registry.claim(subs[0], "near", 0) and not registry.claim(subs[0], "near", 0)
        registry.forget("sms", "1380000")                   # walks the centres' sets on every master
        assert all(registry.for_center(c) == [] for c in ("east", "west", "north", "south"))
    finally:
        r.close()
