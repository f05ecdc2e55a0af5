"""The public edge: a WSGI layer in front of the app for what anyone on the internet can reach.

- Rate limit per client address on /api/v1/ and /m/ (429 + Retry-After, the contract's JSON
  error). A request with a valid staff or device token is not counted: a kiosk and the phones
  on one hall's Wi-Fi share an address, and the kiosk must neither be refused nor use up the
  phones' budget. A token's validity is remembered for a few seconds (valid or not), so the
  check costs a dictionary lookup; one that stands for no one counts like no token.
- Cache the GET routes declared `cache=Cached(...)` (`hall/api/spec.py`: `/centers`,
  `/centers/<c>`, `/centers/<c>/items`, `/tickets/<id>`) per path and query for at most
  `PUBLIC_CACHE_TTL` seconds (1 s). The declarations are the only list: the edge matches paths
  against those routes' own rules. A command appended by this process drops its centre's
  entries at once (the gateway's listener hook); another process's commands are seen when the
  entry expires, so an answer is never more than the TTL stale.
- `ETag` on those answers (a hash of the body, so every process gives the same tag for the same
  picture); `If-None-Match` → 304, the header read by Werkzeug (`*`, lists, weak tags).
- CORS by flask-cors's rules, for the origins configured (`CORS_ORIGINS`): the same options
  answer in Flask (flask-cors's hook) and here, for the answers the edge gives itself (cached
  reads, 304s, 429s, preflights).
- Which address a request comes from is Werkzeug's ProxyFix's business (`TRUSTED_PROXIES`),
  in front of this layer.

It sits in front of Flask so that a cache hit costs a dictionary lookup, not a request dispatch:
that is what lets one process serve thousands of phones polling the wait board.
"""
import hashlib
import ipaddress
import json
import threading
import time

from flask_cors.core import get_cors_headers
from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_etags
from werkzeug.routing import Map, Rule

from .ratelimit import retry_after

LIMITED_PREFIXES = ("/api/v1/", "/m/")
CORS_PREFIX = "/api/v1/"
MAX_ENTRIES = 20_000
TOKEN_MEMO_S = 5.0


def etag_of(body):
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def client_key(environ):
    """The address a request counts against (ProxyFix has put a trusted proxy's client there).

    IPv6 clients are counted by /64, which one household or phone holds whole.
    """
    ip = environ.get("REMOTE_ADDR") or "?"
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


class CachedRoutes:
    """Which paths the edge may cache, matched against the declared routes' own rules.

    `routes()` gives (werkzeug Rule, Cached) pairs; it is read at the first request, once every
    blueprint is registered. A path's answer is remembered, so the hot path is one dict lookup.
    """

    def __init__(self, routes):
        self._routes = routes
        self._adapter = None
        self._declared = {}
        self._seen = {}

    def match(self, path):
        """(centre id, or "" for the district's answers, and the `Cached`), or None."""
        try:
            return self._seen[path]
        except KeyError:
            pass
        if self._adapter is None:
            pairs = list(self._routes())
            self._declared = {rule.endpoint: cached for rule, cached in pairs}
            self._adapter = Map([Rule(rule.rule, endpoint=rule.endpoint, methods=["GET"]) for rule, _ in pairs],
                                strict_slashes=False).bind("edge")
        try:
            endpoint, values = self._adapter.match(path, "GET")
        except HTTPException:
            found = None
        else:
            cached = self._declared[endpoint]
            found = (_scope(cached.scope, values), cached)
            if found[0] is None:
                found = None
        if found is not None:       # only paths of a cached route: a made-up path is not kept
            if len(self._seen) >= MAX_ENTRIES:
                self._seen = {}
            self._seen[path] = found
        return found

    def forget(self, path):
        """A path that did not answer 200 (an unknown id, most often) is not worth remembering."""
        self._seen.pop(path, None)


def _scope(scope, values):
    if scope == "district":
        return ""
    if scope == "center":
        return values["cid"]
    cid, dot, rest = values["tid"].partition(".")      # a ticket's id is "<centre>.<token>"
    return cid if dot and cid and rest else None


class Edge:
    """WSGI middleware: `Edge(app.wsgi_app, routes, ...)`; `invalidate` is the gateway listener.

    `routes`: the cacheable routes' (Rule, Cached) pairs, as `hall.api.spec.cached_routes` gives;
    `cors`: flask-cors's computed options, or None without CORS."""

    def __init__(self, wsgi_app, routes=lambda: (), limiter=None, cors=None, ttl=1.0, token_valid=None,
                 clock=time.monotonic):
        self.app = wsgi_app
        self.routes = CachedRoutes(routes)
        self.limiter = limiter
        self.cors = cors
        self.ttl = float(ttl)
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
        api = path.startswith(CORS_PREFIX)
        if method == "OPTIONS" and api and environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"):
            return self._preflight(environ, start_response)
        cors = self._cors(environ, method) if api else []
        if self.limiter is not None and not self._authorized(environ):
            allowed, wait = self.limiter.hit(client_key(environ))
            if not allowed:
                return self._too_many(start_response, wait, cors)
        if method in ("GET", "HEAD"):
            found = self.routes.match(path)
            if found is not None:
                cid, cached = found
                # a phone that heard its ticket called over Socket.IO may be talking to another
                # process than the one that called it: it asks with no-cache and gets the truth
                live = cached.revalidate and _revalidate(environ)
                # the query is part of what was asked (`/centers?near=…` is another answer)
                query = environ.get("QUERY_STRING")
                key = f"{path}?{query}" if query else path
                return self._cached(environ, start_response, path, key, cid, cached.cache_control, cors, live)
        return self.app(environ, start_response)

    # --- the cache ---

    def _cached(self, environ, start_response, path, key, cid, cache_control, cors, live=False):
        """`path` names the route (and is what `routes` remembers); `key` (path and query) the answer."""
        entry = None if live else self._fresh(key, cid)
        if entry is None:
            with self._lock_for(key):
                # another request may have filled it while this one waited
                entry = None if live else self._fresh(key, cid)
                if entry is None:
                    gen = self._gens.get(cid, 0)       # read before computing: a change meanwhile wins
                    # a HEAD is answered from the GET's body (the inner app would send none to keep)
                    inner = dict(environ, REQUEST_METHOD="GET") if environ.get("REQUEST_METHOD") == "HEAD" \
                        else environ
                    status, headers, body = _call(self.app, inner)
                    if not status.startswith("200 "):
                        # made-up ids must cost nothing: no memo and no lock kept for them
                        self.routes.forget(path)
                        self._locks.pop(key, None)
                        start_response(status, _merge(headers, cors))
                        return [body] if environ.get("REQUEST_METHOD") != "HEAD" else [b""]
                    ctype = next((v for k, v in headers if k.lower() == "content-type"), "application/json")
                    entry = _Entry(body, etag_of(body), ctype, cache_control, gen, self.clock() + self.ttl)
                    self._store(key, entry)
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
        # Werkzeug reads If-None-Match (`*`, lists, weak tags); a plain poll skips it
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm and parse_etags(inm).contains_weak(entry.etag[1:-1]):
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

    def _cors(self, environ, method):
        if self.cors is None:
            return []
        return [(k, str(v)) for k, v in get_cors_headers(self.cors, EnvironHeaders(environ), method).items(multi=True)]

    def _preflight(self, environ, start_response):
        headers = self._cors(environ, "OPTIONS")
        if not any(k == "Access-Control-Allow-Origin" for k, _ in headers):
            body = json.dumps({"error": {"code": "origin_not_allowed",
                                         "message": "this origin may not call the API from a browser"}}).encode()
            start_response("403 Forbidden", [("Content-Type", "application/json"),
                                              ("Content-Length", str(len(body))), ("Vary", "Origin")])
            return [body]
        start_response("204 No Content", headers + [("Content-Length", "0")])
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
