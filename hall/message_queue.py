"""Socket.IO's message queue on Redis or a Redis Cluster: one publish per command.

python-socketio's RedisManager publishes each emit on its own (a command's call, its windows and
queues: three to six round trips under the centre's lock) and speaks to one Redis server, the
first URL named. `RedisQueue` differs in two ways:

- `emit_batch` sends all the messages of one command, for every room, as ONE publish, and sends
  it before this process fans them out to its own clients (it reads Redis's reply afterwards), so
  the other processes fan out at the same time as this one; each listener hands a batch's
  messages to its clients in order, then tells `on_relayed(centre, messages)` (hall/realtime.py
  makes the calls' announcements for its own screens there). Anything else emitted (a kiosk's
  `print`, `id_card`) goes through the library's one-publish-per-emit path on the same channel.
- `HALL_REDIS_URL` may name a Redis Cluster (`hall.store.redis.connect`). A cluster carries a
  PUBLISH to every node over its bus, so each process publishes to and listens on one node (the
  first named that answers) and moves on to the cluster's next node when that one fails;
  messages published meanwhile are lost to that process's clients, which see the gap in `seq` and
  ask for a snapshot. Sharded pub/sub (SPUBLISH, a channel per centre on its own shard) would save
  the bus that broadcast, but needs Redis 7; the 6.2 server we ship and test with has none, and at
  one publish per command a province's bus traffic stays small.
"""
import logging
import time
from urllib.parse import urlparse, urlunparse

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from socketio.pubsub_manager import PubSubManager

from .store.redis import connect, is_cluster

log = logging.getLogger(__name__)

CHANNEL = "hall:realtime"
FAN_OUT_ATTR = "hall_fan_out"   # hall/server.py's direct fan-out of a batch, on the Socket.IO server
NAMESPACE = "/"
RETRY_FIRST_S, RETRY_MAX_S = 0.1, 2.0   # a listener that lost its node tries the next one after this
# a publish runs under the centre's lock: a node that does not answer must not hold the hall long
# (and a node that is gone is left at once for the next one, not retried)
PUBLISH_OPTIONS = {"socket_timeout": 1.0, "socket_connect_timeout": 0.5, "socket_keepalive": True,
                   "retry": Retry(NoBackoff(), 0)}
LISTEN_OPTIONS = {"socket_connect_timeout": 0.5, "socket_keepalive": True, "retry": Retry(NoBackoff(), 0)}


class RedisQueue(PubSubManager):
    name = "hall-redis"

    def __init__(self, url, channel=CHANNEL):
        super().__init__(channel=channel)
        self.url = url
        self._nodes = [u.strip() for u in url.split(",") if u.strip()]
        self._discovered = False
        self._publisher = None      # (node index, client)
        self._next = 0              # the node to try first when there is no publisher
        self._listening = None      # (node index, pubsub), subscribed
        self.on_relayed = None      # fn(centre, messages) after another process's batch is fanned out

    # --- the nodes ---

    def _discover(self):
        """On a cluster, add every node it has to the ones named (named first, in their order)."""
        if self._discovered:
            return
        client = connect(self.url, socket_connect_timeout=0.5, socket_timeout=1.0)
        try:
            if is_cluster(client):
                base = urlparse(self._nodes[0])
                auth = base.netloc.rpartition("@")[0]
                for node in client.get_nodes():
                    netloc = f"{auth}@{node.host}:{node.port}" if auth else f"{node.host}:{node.port}"
                    url = urlunparse(base._replace(netloc=netloc, path="/0"))
                    if all(_address(u) != (node.host, node.port) for u in self._nodes):
                        self._nodes.append(url)
            self._discovered = True
        finally:
            client.close()

    def _open(self, start, options):
        """(index, client) of the first node from `start` on (cyclically) that answers a PING."""
        try:
            self._discover()
        except (redis.RedisError, OSError) as e:       # the named node is down: try them in turn
            log.warning("cannot learn the cluster's nodes from %s: %s", self._nodes[0], e)
        last = None
        for k in range(len(self._nodes)):
            i = (start + k) % len(self._nodes)
            client = redis.Redis.from_url(self._nodes[i], **options)
            try:
                client.ping()
                return i, client
            except (redis.RedisError, OSError) as e:
                client.close()
                last = e
        raise redis.ConnectionError(f"no node of {self.url} answers: {last}")

    # --- publishing ---

    def emit_batch(self, centre, messages):
        """Send one command's messages, [(event, data, rooms)], to the clients of every process:
        one publish, then this process's own clients while Redis passes it on."""
        batch = {"method": "batch", "host_id": self.host_id, "center": centre,
                 "emits": [[e, d, r] for e, d, r in messages]}
        sent = self._send(batch)
        try:
            fan_out(self.server, messages)
        finally:
            if sent is not None:
                self._receipt(*sent)

    def _publish(self, data):
        """The library's path (a single emit, a disconnect, a room change): publish and wait."""
        sent = self._send(data)
        if sent is not None:
            self._receipt(*sent)

    def _send(self, data):
        """Write a PUBLISH of `data` to a node without waiting for the reply: (pool, connection) to
        read it from, or None when no node takes it (logged; clients resync on the next gap)."""
        payload = self.json.dumps(data)
        error = None
        for _ in (1, 2):        # the node in use, then (on a cluster) the next that answers
            pool = conn = None
            try:
                if self._publisher is None:
                    self._publisher = self._open(self._next, PUBLISH_OPTIONS)
                pool = self._publisher[1].connection_pool
                conn = pool.get_connection()
                conn.send_command("PUBLISH", self.channel, payload)
                return pool, conn
            except (redis.RedisError, OSError) as e:
                error = e
                if conn is not None:
                    conn.disconnect()
                    pool.release(conn)
                self._drop_publisher()
        log.error("cannot publish to %s: %s", self.url, error)
        return None

    def _receipt(self, pool, conn):
        try:
            conn.read_response()
        except (redis.RedisError, OSError) as e:
            log.error("a publish to %s went unconfirmed: %s", self.url, e)
            conn.disconnect()
            self._drop_publisher()
        finally:
            pool.release(conn)

    def _drop_publisher(self):
        if self._publisher is not None:
            index, client = self._publisher
            self._publisher, self._next = None, index + 1
            client.close()

    # --- listening ---

    def initialize(self):
        # subscribe before the server takes its first client, so that nothing published after a
        # client's snapshot can pass this process by; the listener then reads in the background
        try:
            self._subscribe(0)
        except (redis.RedisError, OSError) as e:
            log.error("cannot listen to %s yet: %s", self.url, e)
        super().initialize()

    def _subscribe(self, start):
        index, client = self._open(start, LISTEN_OPTIONS)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self.channel)
        self._listening = index, pubsub

    def _listen(self):
        """The library's messages published by the other processes; their batches it fans out
        itself (all of a client's share of a command in one write, hall/server.py)."""
        wait, index = RETRY_FIRST_S, -1
        while True:
            try:
                if self._listening is None:
                    self._subscribe(index + 1)
                    log.info("listening to %s", self._nodes[self._listening[0]])
                    wait = RETRY_FIRST_S
                index, pubsub = self._listening
                for m in pubsub.listen():
                    if m["type"] == "message":
                        yield from self._unpack(m["data"])
            except (redis.RedisError, OSError) as e:
                node = self._nodes[self._listening[0]] if self._listening is not None else self.url
                log.error("lost %s (%s); listening to the next node in %.1f s", node, e, wait)
                if self._listening is not None:
                    index = self._listening[0]
                    try:
                        self._listening[1].close()
                    except (redis.RedisError, OSError):
                        pass
                    self._listening = None
                time.sleep(wait)
                wait = min(RETRY_MAX_S, wait * 2)

    def _unpack(self, raw):
        try:
            data = self.json.loads(raw)
        except ValueError:
            log.warning("not a message on %s: %.80r", self.channel, raw)
            return
        if not isinstance(data, dict):
            return
        if data.get("method") != "batch":
            yield data      # the library's own messages: it knows which are for this process
            return
        if data.get("host_id") == self.host_id:
            return          # our own: this process's clients have had it
        try:
            messages = [(event, payload, rooms) for event, payload, rooms in data.get("emits") or ()]
            fan_out(self.server, messages)
            if self.on_relayed is not None:
                self.on_relayed(data.get("center"), messages)
        except Exception:   # a bad batch must not stop the listener; the screens resync on the gap
            log.exception("relaying a batch from %s failed", data.get("host_id"))


def fan_out(server, messages):
    """This process's clients hear `messages`, [(event, data, rooms)], in order (not published)."""
    direct = getattr(server, FAN_OUT_ATTR, None)
    if direct is not None:
        direct(messages)
        return
    for event, data, rooms in messages:
        server.manager.emit(event, data, namespace=NAMESPACE, room=rooms, ignore_queue=True)


def _address(url):
    u = urlparse(url)
    return u.hostname, u.port or 6379
