"""Who wants to hear about which ticket: a small registry beside the event log, not in it.

A subscription is (ticket id, channel, address): `wechat` and an openid, or `sms` and a phone
number. It lives as long as the ticket's day (tickets end with the day), and records what has
been sent so that every notice goes out once even with several processes: `claim` is atomic.

SQLite (`$HALL_DATA_DIR/notify.db`, through sqlite-utils) on one machine; Redis when the app has
one, keys under the centre's hash tag like the rest of its data.
"""
import os
import sqlite3
import threading
from dataclasses import dataclass

import sqlite_utils

KEEP_S = 2 * 86400


@dataclass(frozen=True)
class Subscription:
    ticket: str
    channel: str
    address: str

    @property
    def center(self):
        return self.ticket.partition(".")[0]

    @property
    def key(self):
        return f"{self.ticket}|{self.channel}|{self.address}"


class SQLiteRegistry:
    def __init__(self, path):
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self.db = sqlite_utils.Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db["subscriptions"].create(
            {"ticket": str, "center": str, "channel": str, "address": str, "created": float},
            pk=("ticket", "channel", "address"), if_not_exists=True)
        self.db["subscriptions"].create_index(["center"], if_not_exists=True)
        self.db["sent"].create({"subscription": str, "what": str, "at": float},
                               pk=("subscription", "what"), if_not_exists=True)
        self.conn = conn
        self.lock = threading.Lock()

    def add(self, sub, now):
        with self.lock:
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO subscriptions (ticket, center, channel, address, created) VALUES (?,?,?,?,?)",
                (sub.ticket, sub.center, sub.channel, sub.address, now))
            self.conn.execute("DELETE FROM subscriptions WHERE created < ?", (now - KEEP_S,))
            self.conn.execute("DELETE FROM sent WHERE at < ?", (now - KEEP_S,))
            return cur.rowcount == 1

    def count(self, ticket, channel):
        with self.lock:
            return self.conn.execute("SELECT COUNT(*) FROM subscriptions WHERE ticket = ? AND channel = ?",
                                     (ticket, channel)).fetchone()[0]

    def for_center(self, cid):
        with self.lock:
            rows = self.conn.execute("SELECT ticket, channel, address FROM subscriptions WHERE center = ?",
                                     (cid,)).fetchall()
        return [Subscription(*r) for r in rows]

    def forget(self, channel, address):
        with self.lock:
            self.conn.execute("DELETE FROM subscriptions WHERE channel = ? AND address = ?", (channel, address))

    def claim(self, sub, what, now):
        """True for the one caller (in any process) that gets to send `what` to `sub`."""
        with self.lock:
            cur = self.conn.execute("INSERT OR IGNORE INTO sent (subscription, what, at) VALUES (?,?,?)",
                                    (sub.key, what, now))
            return cur.rowcount == 1

    def close(self):
        self.conn.close()


class RedisRegistry:
    def __init__(self, redis_client, owned=True):
        self.r, self.owned = redis_client, owned

    @staticmethod
    def _subs(cid):
        return f"hall:{{{cid}}}:notify:subs"

    @staticmethod
    def _sent(cid):
        return f"hall:{{{cid}}}:notify:sent"

    def add(self, sub, now):
        pipe = self.r.pipeline()
        pipe.sadd(self._subs(sub.center), sub.key)
        pipe.expire(self._subs(sub.center), KEEP_S)
        added, _ = pipe.execute()
        return added == 1

    def count(self, ticket, channel):
        prefix = f"{ticket}|{channel}|"
        return sum(1 for k in self.r.smembers(self._subs(ticket.partition(".")[0]))
                   if k.decode().startswith(prefix))

    def for_center(self, cid):
        return [Subscription(*k.decode().split("|", 2)) for k in self.r.smembers(self._subs(cid))]

    def forget(self, channel, address):
        # an unfollow is rare: walk the centres' sets
        for key in self.r.scan_iter(match="hall:{*}:notify:subs"):
            for member in self.r.smembers(key):
                s = Subscription(*member.decode().split("|", 2))
                if s.channel == channel and s.address == address:
                    self.r.srem(key, member)

    def claim(self, sub, what, now):
        pipe = self.r.pipeline()
        pipe.sadd(self._sent(sub.center), f"{sub.key}|{what}")
        pipe.expire(self._sent(sub.center), KEEP_S)
        added, _ = pipe.execute()
        return added == 1

    def close(self):
        if self.owned:              # the app's shared client is closed with its store
            self.r.close()


def open_registry(data_dir, redis_client=None):
    """Redis (the app's own client) when the app has one, else SQLite in `data_dir`."""
    if redis_client is not None:
        return RedisRegistry(redis_client, owned=False)
    os.makedirs(data_dir, exist_ok=True)
    return SQLiteRegistry(os.path.join(data_dir, "notify.db"))
