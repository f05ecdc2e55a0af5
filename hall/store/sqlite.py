"""The embedded default: one SQLite file in WAL mode, a durable commit per append.

`synchronous=FULL` makes COMMIT wait for the WAL to reach the disk, so an event the client
heard about survives a crash of the process or the machine. Appends take `BEGIN IMMEDIATE`,
so two processes on one file serialise on the version check instead of losing a write.
"""
import json
import sqlite3
import threading

import sqlite_utils

from . import aggregates
from .base import Conflict, encode, decode


class SQLiteStore:
    def __init__(self, path):
        self.path = path
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self.db = sqlite_utils.Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        if "events" not in self.db.table_names():
            self.db["events"].create({"stream": str, "seq": int, "type": str, "at": float, "body": str},
                                     pk=("stream", "seq"), if_not_exists=True)
        if "snapshots" not in self.db.table_names():
            self.db["snapshots"].create({"stream": str, "seq": int, "body": str}, pk="stream",
                                        if_not_exists=True)
        if "streams" not in self.db.table_names():
            self.db["streams"].create({"stream": str, "created": float}, pk="stream", if_not_exists=True)
        if "meta" not in self.db.table_names():
            self.db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
        if "aggregates" not in self.db.table_names():
            self.db["aggregates"].create({"stream": str, "day": str, "kind": str, "key": str, "body": str},
                                         pk=("stream", "day", "kind", "key"), if_not_exists=True)
        if "aggregate_marks" not in self.db.table_names():
            self.db["aggregate_marks"].create({"stream": str, "body": str}, pk="stream", if_not_exists=True)
        self.conn = conn
        self.lock = threading.Lock()
        # Aggregates are rebuilt from the log when behind, so their commits need not wait for the
        # disk: a connection of their own with synchronous=NORMAL keeps appends at full speed.
        self.agg = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self.agg.execute("PRAGMA synchronous=NORMAL")
        self.agg_lock = threading.Lock()

    def append(self, stream, expected, events):
        rows = [(stream, expected + i + 1, e["type"], e["at"], encode(e)) for i, e in enumerate(events)]
        with self.lock:
            c = self.conn
            c.execute("BEGIN IMMEDIATE")
            try:
                actual = c.execute("SELECT COALESCE(MAX(seq), 0) FROM events WHERE stream = ?",
                                   (stream,)).fetchone()[0]
                if actual != expected:
                    raise Conflict(stream, expected, actual)
                if expected == 0:
                    c.execute("INSERT OR IGNORE INTO streams (stream, created) VALUES (?, ?)",
                              (stream, events[0]["at"]))
                c.executemany("INSERT INTO events (stream, seq, type, at, body) VALUES (?, ?, ?, ?, ?)", rows)
            except BaseException:
                c.execute("ROLLBACK")
                raise
            c.execute("COMMIT")
        return [r[1] for r in rows]

    def read(self, stream, after=0, limit=None):
        sql = "SELECT seq, body FROM events WHERE stream = ? AND seq > ? ORDER BY seq"
        params = [stream, after]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self.lock:
            rows = self.conn.execute(sql, params).fetchall()
        return [decode(seq, body) for seq, body in rows]

    def version(self, stream):
        with self.lock:
            return self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events WHERE stream = ?",
                                     (stream,)).fetchone()[0]

    def streams(self):
        """Every stream, in the order they began (a catalogue's centres keep their order)."""
        with self.lock:
            return [r[0] for r in self.conn.execute("SELECT stream FROM streams ORDER BY rowid")]

    def save_snapshot(self, stream, data):
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        with self.lock:
            self.conn.execute("INSERT OR REPLACE INTO snapshots (stream, seq, body) VALUES (?, ?, ?)",
                              (stream, data["version"], body))

    def load_snapshot(self, stream):
        with self.lock:
            row = self.conn.execute("SELECT body FROM snapshots WHERE stream = ?", (stream,)).fetchone()
        return json.loads(row[0]) if row else None

    def secret(self, make):
        """The district's signing secret, made once and shared by every process on this file."""
        with self.lock:
            self.conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('secret', ?)", (make(),))
            return self.conn.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()[0]

    # --- aggregates (see hall.store.aggregates) ---

    def aggregate_mark(self, stream):
        with self.agg_lock:
            row = self.agg.execute("SELECT body FROM aggregate_marks WHERE stream = ?", (stream,)).fetchone()
        return json.loads(row[0]) if row else None

    def add_aggregates(self, stream, rows, expected, mark):
        with self.agg_lock:
            c = self.agg
            c.execute("BEGIN IMMEDIATE")
            try:
                row = c.execute("SELECT body FROM aggregate_marks WHERE stream = ?", (stream,)).fetchone()
                if aggregates.mark_seq(json.loads(row[0]) if row else None) != expected:
                    c.execute("ROLLBACK")
                    return False
                out = []
                for (day, kind, key), inc in rows.items():
                    held = c.execute(_HELD, (stream, day, kind, key)).fetchone()
                    row = aggregates.added(json.loads(held[0]) if held else None, inc)
                    out.append((stream, day, kind, key, _dump(row)))
                c.executemany("INSERT OR REPLACE INTO aggregates (stream, day, kind, key, body) VALUES (?, ?, ?, ?, ?)",
                              out)
                c.execute("INSERT OR REPLACE INTO aggregate_marks (stream, body) VALUES (?, ?)", (stream, _dump(mark)))
            except BaseException:
                c.execute("ROLLBACK")
                raise
            c.execute("COMMIT")
        return True

    def read_aggregates(self, stream, first_day, last_day):
        with self.agg_lock:
            got = self.agg.execute("SELECT day, kind, key, body FROM aggregates "
                                   "WHERE stream = ? AND day BETWEEN ? AND ?", (stream, first_day, last_day)).fetchall()
        return {(day, kind, key): json.loads(body) for day, kind, key, body in got}

    def clear_aggregates(self, stream):
        with self.agg_lock:
            self.agg.execute("BEGIN IMMEDIATE")
            self.agg.execute("DELETE FROM aggregates WHERE stream = ?", (stream,))
            self.agg.execute("DELETE FROM aggregate_marks WHERE stream = ?", (stream,))
            self.agg.execute("COMMIT")

    def close(self):
        with self.agg_lock:
            self.agg.close()
        with self.lock:
            self.conn.close()


_HELD = "SELECT body FROM aggregates WHERE stream = ? AND day = ? AND kind = ? AND key = ?"


def _dump(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
