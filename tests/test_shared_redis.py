"""Two `hall serve` processes sharing one centre through Redis: no number twice, no ticket at two windows."""
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.helpers import always_open, small_center


def test_two_processes_never_duplicate_numbers_or_calls(hall_server, redis_url):
    center = always_open(small_center("east"))
    center["queues"][0]["daily_quota"] = None
    a = hall_server(centers=[center], redis_url=redis_url).start()
    b = hall_server(redis_url=redis_url, join=a).start()
    api = {0: a.url, 1: b.url}
    kiosk, staff = a.headers("kiosk-east"), a.headers("staff-east")
    for n in (1, 2, 3):
        assert requests.post(f"{api[n % 2]}/api/v1/centers/east/windows/{n}/open", headers=staff).ok

    def issue(i):
        r = requests.post(f"{api[i % 2]}/api/v1/centers/east/tickets",
                          json={"queue": ("general", "police")[i % 3 == 0]}, headers=kiosk, timeout=10)
        assert r.status_code == 201, r.text
        return r.json()

    with ThreadPoolExecutor(8) as pool:
        tickets = list(pool.map(issue, range(120)))
    numbers = [t["number"] for t in tickets]
    assert len(set(numbers)) == len(numbers) == 120

    calls, lock = [], threading.Lock()

    def window_worker(n):
        s = requests.Session()
        for k in range(80):
            base = f"{api[(n + k) % 2]}/api/v1/centers/east/windows/{n}"
            s.post(f"{base}/start", headers=staff, timeout=10)
            r = s.post(f"{base}/call-next", headers=staff, timeout=10)
            if r.status_code == 204:
                return
            assert r.status_code == 200, r.text
            with lock:
                calls.append((r.json()["id"], n))

    threads = [threading.Thread(target=window_worker, args=(n,)) for n in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    called = [tid for tid, _ in calls]
    assert len(called) == len(set(called)) == 120        # every ticket called once, at one window
    for tid, window in calls[-3:]:
        assert requests.get(f"{api[0]}/api/v1/tickets/{tid}").json()["window"] == window
