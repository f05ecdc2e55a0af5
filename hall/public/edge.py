"""The public edge: a WSGI layer in front of the app for what anyone on the internet can reach.

- Rate limit per client address on /api/v1/ and /m/ (429 + Retry-After, the contract's JSON
  error). A request with a valid staff or device token is not counted: a kiosk and the phones
  on one hall's Wi-Fi share an address, and the kiosk must neither be refused nor use up the
  phones' budget. A token's validity is remembered for a few seconds (valid or not), so the
  check costs a dictionary lookup; one that stands for no one counts like no token.
- Cache the public reads (`/centers`, `/centers/<c>`, `/centers/<c>/items`, `/tickets/<id>`)
  per path for at most `PUBLIC_CACHE_TTL` seconds (1 s). A command appended by this process
  drops its centre's entries at once (the gateway's listener hook); another process's commands
  are seen when the entry expires, so an answer is never more than the TTL stale.
- `ETag` on those answers (a hash of the body, so every process gives the same tag for the same
  picture) and `If-None-Match` → 304.
- CORS for the origins configured (`CORS_ORIGINS`), with preflight answers.

It sits in front of Flask so that a cache hit costs a dictionary lookup, not a request dispatch:
that is what lets one process serve thousands of phones polling the wait board.
"""
import hashlib
import ipaddress
import json
import re
import threading
import time

from .ratelimit import retry_after

# (pattern, what the answer depends on: the district or one centre, Cache-Control, whether a
# request's own `Cache-Control: no-cache` or `max-age=0` reads the live state). A phone that heard its ticket
# called over Socket.IO may be talking to another process than the one that called it: it asks
# with no-cache and gets the truth, not this process's last second. The district's answers keep
# to the TTL whatever a client asks: they are the ones worth flooding.
CACHED = (
    (re.compile(r"^/api/v1/centers$"), "district", "public, max-age=1", False),
    (re.compile(r"^/api/v1/centers/([^/]+)$"), "center", "public, max-age=1", False),
    (re.compile(r"^/api/v1/centers/([^/]+)/items$"), "center", "public, max-age=1", False),
    # a ticket's id is its capability: let no shared cache keep it, but let the phone revalidate
    (re.compile(r"^/api/v1/tickets/([^/.]+)\.[^/]+$"), "center", "private, no-cache", True),
)
LIMITED_PREFIXES = ("/api/v1/", "/m/")
CORS_PREFIX = "/api/v1/"
CORS_METHODS = "GET, HEAD, POST, DELETE, OPTIONS"
CORS_HEADERS = {"content-type", "if-none-match", "idempotency-key", "authorization"}
CORS_EXPOSE = "ETag, Retry-After, Location, Idempotent-Replayed"
MAX_ENTRIES = 20_000
TOKEN_MEMO_S = 5.0


def parse_origins(value):
    if not value:
        return frozenset()
    if isinstance(value, str):
        value = value.split(",")
    return frozenset(o.strip().rstrip("/") for o in value if o and o.strip())


def etag_of(body):
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def etag_matches(header, etag):
    """If-None-Match: `*`, or a list of (possibly weak) tags."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = (t.strip() for t in header.split(","))
    return any((t[2:] if t.startswith("W/") else t) == etag for t in tags)


def client_key(environ, trusted_proxies=0):
    """The address a request counts against: its peer, or the hop a trusted proxy saw.

    IPv6 clients are counted by /64, which one household or phone holds whole.
    """
    ip = environ.get("REMOTE_ADDR") or "?"
    if trusted_proxies:
        hops = [h.strip() for h in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= trusted_proxies:
            ip = hops[-trusted_proxies]
    if ":" in ip:
        try:
            return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address) + "/64"
        except ValueError:
            return ip
    return ip


class _Entry:
    __slots__ = ("body", "etag", "ctype", "cache_control", "gen", "expires")

    def __init__(self, body, etag, ctype, cache_control, gen, expires):
        self.body, self.etag, self.ctype, self.cache_control, self.gen, self.expires = \
            body, etag, ctype, cache_control, gen, expires


class Edge:
    """WSGI middleware: `Edge(app.wsgi_app, ...)`; `invalidate` is the gateway listener."""

    def __init__(self, wsgi_app, limiter=None, cors_origins=(), ttl=1.0, trusted_proxies=0,
                 token_valid=None, clock=time.monotonic):
        self.app = wsgi_app
        self.limiter = limiter
        self.origins = parse_origins(cors_origins)
        self.ttl = float(ttl)
        self.trusted_proxies = int(trusted_proxies or 0)
        self.token_valid = token_valid      # fn(token) → bool, or None
        self.clock = clock
        self._cache = {}
        self._gens = {}                     # centre id → generation; "" the district's
        self._locks = {}
        self._locks_lock = threading.Lock()
        self._tokens = {}                   # bearer token → (valid?, until): a short memo

    # --- the gateway listener: a command of this process changes its centre's answers ---

    def invalidate(self, cid, events=None, state=None):
        self._gens[cid] = self._gens.get(cid, 0) + 1
        self._gens[""] = self._gens.get("", 0) + 1

    # --- WSGI ---

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or ""
        if not path.startswith(LIMITED_PREFIXES):
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        cors = self._cors(environ) if path.startswith(CORS_PREFIX) else []
        if method == "OPTIONS" and environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD") and path.startswith(CORS_PREFIX):
            return self._preflight(environ, start_response, cors)
        if cors is None:            # an origin not allowed: no CORS headers, so its browser will not read
            cors = [("Vary", "Origin")]
        if self.limiter is not None and not self._authorized(environ):
            allowed, wait = self.limiter.hit(client_key(environ, self.trusted_proxies))
            if not allowed:
                return self._too_many(start_response, wait, cors)
        if method in ("GET", "HEAD"):
            for pattern, scope, cache_control, live in CACHED:
                m = pattern.match(path)
                if m:
                    cid = "" if scope == "district" else m.group(1)
                    fresh_only = live and _revalidate(environ)
                    return self._cached(environ, start_response, path, cid, cache_control, cors, fresh_only)
        if not cors:
            return self.app(environ, start_response)

        def start_with_cors(status, headers, exc_info=None):
            return start_response(status, _merge(headers, cors), exc_info)
        return self.app(environ, start_with_cors)

    # --- the cache ---

    def _cached(self, environ, start_response, path, cid, cache_control, cors, live=False):
        entry = None if live else self._fresh(path, cid)
        if entry is None:
            with self._lock_for(path):
                # another request may have filled it while this one waited
                entry = None if live else self._fresh(path, cid)
                if entry is None:
                    gen = self._gens.get(cid, 0)       # read before computing: a change meanwhile wins
                    # a HEAD is answered from the GET's body (the inner app would send none to keep)
                    inner = dict(environ, REQUEST_METHOD="GET") if environ.get("REQUEST_METHOD") == "HEAD" \
                        else environ
                    status, headers, body = _call(self.app, inner)
                    if not status.startswith("200 "):
                        start_response(status, _merge(headers, cors))
                        return [body] if environ.get("REQUEST_METHOD") != "HEAD" else [b""]
                    ctype = next((v for k, v in headers if k.lower() == "content-type"), "application/json")
                    entry = _Entry(body, etag_of(body), ctype, cache_control, gen, self.clock() + self.ttl)
                    self._store(path, entry)
        return self._answer(environ, start_response, entry, cors)

    def _fresh(self, path, cid):
        e = self._cache.get(path)
        if e is not None and e.expires > self.clock() and e.gen == self._gens.get(cid, 0):
            return e
        return None

    def _store(self, path, entry):
        if len(self._cache) >= MAX_ENTRIES:
            now = self.clock()
            self._cache = {p: e for p, e in self._cache.items() if e.expires > now}
            if len(self._cache) >= MAX_ENTRIES:
                self._cache = {}
        self._cache[path] = entry

    def _lock_for(self, path):
        lock = self._locks.get(path)
        if lock is None:
            with self._locks_lock:
                lock = self._locks.setdefault(path, threading.Lock())
                if len(self._locks) > MAX_ENTRIES:
                    self._locks = {path: lock}
        return lock

    def _answer(self, environ, start_response, entry, cors):
        headers = [("ETag", entry.etag), ("Cache-Control", entry.cache_control)] + cors
        if etag_matches(environ.get("HTTP_IF_NONE_MATCH"), entry.etag):
            start_response("304 Not Modified", headers)
            return [b""]
        start_response("200 OK", [("Content-Type", entry.ctype), ("Content-Length", str(len(entry.body)))]
                       + headers)
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [entry.body]

    # --- rate limiting ---

    def _authorized(self, environ):
        header = environ.get("HTTP_AUTHORIZATION")
        if not header or self.token_valid is None:
            return False
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > 512:
            return False
        now = self.clock()
        memo = self._tokens.get(token)
        if memo is not None and memo[1] > now:
            return memo[0]
        valid = bool(self.token_valid(token))
        if len(self._tokens) > 10_000:
            self._tokens = {}
        self._tokens[token] = (valid, now + TOKEN_MEMO_S)
        return valid

    def _too_many(self, start_response, wait, cors):
        seconds = retry_after(wait)
        body = json.dumps({"error": {"code": "rate_limited",
                                     "message": f"请求过于频繁，请 {seconds} 秒后再试 / too many requests; "
                                                f"try again in {seconds} s"}},
                          ensure_ascii=False).encode()
        start_response("429 Too Many Requests",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                        ("Retry-After", str(seconds))] + cors)
        return [body]

    # --- CORS ---

    def _cors(self, environ):
        """Headers for an allowed origin; [] when CORS is not in play; None for an origin refused."""
        origin = environ.get("HTTP_ORIGIN")
        if not self.origins:
            return []
        vary = [("Vary", "Origin")]
        if not origin:
            return vary
        if "*" in self.origins:
            return [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", CORS_EXPOSE)]
        if origin.rstrip("/") in self.origins:
            return [("Access-Control-Allow-Origin", origin), ("Access-Control-Expose-Headers", CORS_EXPOSE)] + vary
        return None

    def _preflight(self, environ, start_response, cors):
        if not cors or not any(k == "Access-Control-Allow-Origin" for k, _ in cors):
            body = json.dumps({"error": {"code": "origin_not_allowed",
                                         "message": "this origin may not call the API from a browser"}}).encode()
            start_response("403 Forbidden", [("Content-Type", "application/json"),
                                              ("Content-Length", str(len(body))), ("Vary", "Origin")])
            return [body]
        asked = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
        allowed = [h.strip() for h in asked.split(",") if h.strip().lower() in CORS_HEADERS]
        headers = cors + [("Access-Control-Allow-Methods", CORS_METHODS), ("Access-Control-Max-Age", "600"),
                          ("Content-Length", "0")]
        if allowed:
            headers.append(("Access-Control-Allow-Headers", ", ".join(allowed)))
        start_response("204 No Content", headers)
        return [b""]


def _revalidate(environ):
    """Does the client ask past caches? `no-cache`, or `max-age=0` (what a browser's fetch sends
    with `cache: "no-cache"`)."""
    cc = environ.get("HTTP_CACHE_CONTROL", "").replace(" ", "").lower()
    return "no-cache" in cc or "max-age=0" in cc or "no-cache" in environ.get("HTTP_PRAGMA", "").lower()


def _merge(headers, extra):
    if not extra:
        return list(headers)
    names = {k.lower() for k, _ in extra}
    return [(k, v) for k, v in headers if k.lower() not in names] + list(extra)


def _call(app, environ):
    """Run the inner app and collect its whole answer: (status, headers, body)."""
    got = {}

    def start_response(status, headers, exc_info=None):
        got["status"], got["headers"] = status, headers
        return lambda data: None
    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close:
            close()
    return got["status"], got["headers"], body
