"""Print jobs pushed to kiosk agents, each waiting in the hall process that pushed it for the agent's answer.

The push reaches the agent whichever process it is connected to (with Redis, Socket.IO's message
queue carries it), but the agent's answer comes back over HTTP to any process. With several
processes a `RedisRelay` passes an answer no one waits for here to the others (Redis pub/sub), so
the process whose print request waits hears it.
"""
import json
import logging
import threading

log = logging.getLogger(__name__)

CHANNEL = "hall:kiosk-agent-answers"


class AgentJobs:
    def __init__(self, relay=None):
        self.relay = relay
        self._lock = threading.Lock()
        self._waiting = {}             # job id → {"kiosk", "event", "answer"}

    def run(self, push, room, job, timeout):
        """Push `job` and wait up to `timeout` s for its answer (None if none came)."""
        if self.relay is not None:
            self.relay.listen(self._local)
        slot = {"kiosk": job["kiosk"], "event": threading.Event(), "answer": None}
        with self._lock:
            self._waiting[job["job"]] = slot
        try:
            push("print", job, room)
            slot["event"].wait(timeout)
            return slot["answer"]
        finally:
            with self._lock:
                self._waiting.pop(job["job"], None)

    def answer(self, kiosk, job_id, answer):
        """The agent's answer: True when a print request here (or, relayed, elsewhere) may be waiting."""
        if self._local(kiosk, job_id, answer):
            return True
        if self.relay is not None:
            return self.relay.publish(kiosk, job_id, answer)
        return False

    def _local(self, kiosk, job_id, answer):
        with self._lock:
            slot = self._waiting.get(job_id)
        if slot is None or slot["kiosk"] != kiosk:
            return False
        slot["answer"] = answer
        slot["event"].set()
        return True


class RedisRelay:
    """Answers passed between the hall's processes over Redis pub/sub (started on first use)."""

    def __init__(self, url):
        self.url = url.split(",")[0].strip()      # any node: PUBLISH reaches a whole cluster
        self._client = None
        self._thread = None
        self._lock = threading.Lock()

    def _redis(self):
        if self._client is None:
            import redis
            self._client = redis.Redis.from_url(self.url)
        return self._client

    def publish(self, kiosk, job_id, answer):
        try:
            heard = self._redis().publish(CHANNEL, json.dumps({"kiosk": kiosk, "job": job_id, "answer": answer}))
        except Exception as e:   # noqa: BLE001 - Redis away: the waiting request times out, the ticket stays
            log.warning("could not relay a kiosk agent's answer: %s", e)
            return False
        return heard > 0

    def listen(self, deliver):
        with self._lock:
            if self._thread is not None:
                return
            pubsub = self._redis().pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(CHANNEL)
            self._thread = threading.Thread(target=self._run, args=(pubsub, deliver), name="agent answers",
                                            daemon=True)
            self._thread.start()

    def _run(self, pubsub, deliver):
        try:
            for message in pubsub.listen():
                try:
                    m = json.loads(message["data"])
                    deliver(m["kiosk"], m["job"], m["answer"])
                except (ValueError, KeyError, TypeError):
                    continue
        except Exception as e:   # noqa: BLE001 - the connection dropped: listen again at the next job
            log.warning("kiosk agent answers: %s", e)
            with self._lock:
                self._thread = None
