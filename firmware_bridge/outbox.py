"""Evaluations the hall has not confirmed yet, kept on disk until it does.

A citizen's rating is acknowledged to the evaluator only once it is committed here, so neither
the hall being away nor the bridge restarting loses it. (Key presses are never kept: an action
taken late is worse than none.)
"""
import os
import sqlite3
import threading
import time


class Outbox:
    def __init__(self, directory):
        os.makedirs(directory, exist_ok=True)
        self.path = os.path.join(directory, "evaluations.db")
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("""CREATE TABLE IF NOT EXISTS evaluation (
            id INTEGER PRIMARY KEY AUTOINCREMENT, center TEXT NOT NULL, ticket TEXT NOT NULL,
            number TEXT, score INTEGER NOT NULL, device TEXT, at REAL NOT NULL, attempts INTEGER DEFAULT 0,
            UNIQUE (ticket))""")

    def add(self, center, ticket, number, score, device):
        """Keep an evaluation (a second one for the same ticket is ignored: a ticket is rated once)."""
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO evaluation (center, ticket, number, score, device, at) "
                             "VALUES (?, ?, ?, ?, ?, ?)", (center, ticket, number, score, device, time.time()))

    def pending(self, limit=50):
        with self._lock:
            rows = self._db.execute("SELECT id, center, ticket, number, score, device FROM evaluation "
                                    "ORDER BY id LIMIT ?", (limit,)).fetchall()
        keys = ("id", "center", "ticket", "number", "score", "device")
        return [dict(zip(keys, r)) for r in rows]

    def done(self, row_id):
        with self._lock:
            self._db.execute("DELETE FROM evaluation WHERE id = ?", (row_id,))

    def tried(self, row_id):
        with self._lock:
            self._db.execute("UPDATE evaluation SET attempts = attempts + 1 WHERE id = ?", (row_id,))

    def __len__(self):
        with self._lock:
            return self._db.execute("SELECT count(*) FROM evaluation").fetchone()[0]

    def close(self):
        with self._lock:
            self._db.close()
