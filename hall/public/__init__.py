"""The citizens' side on the open internet: the public edge (cache, ETag, rate limit, CORS), the
phone pages under /m/, the WeChat Official Account endpoint /wechat, and notifications.

`init_app(app)` wires it all; nothing happens on import. Settings come from the app config
(`hall/config.py` fills it from the environment):

| config | environment | default |
|---|---|---|
| CORS_ORIGINS | HALL_CORS_ORIGINS | none (comma-separated origins, or `*`; flask-cors's rules) |
| RATE_LIMIT_PER_S, RATE_LIMIT_BURST | HALL_RATE_LIMIT_PER_S, HALL_RATE_LIMIT_BURST | 20 /s, 300 (0 turns it off) |
| RATE_LIMIT_STORE | HALL_RATE_LIMIT_STORE | `redis` when REDIS_URL is set, else `memory` |
| TRUSTED_PROXIES | HALL_TRUSTED_PROXIES | 0 (reverse proxies whose X-Forwarded-For to believe; Werkzeug's ProxyFix) |
| PUBLIC_CACHE_TTL | HALL_PUBLIC_CACHE_TTL | 1.0 s |
| PUBLIC_URL | HALL_PUBLIC_URL | the request's own host (links sent through WeChat) |
| WECHAT_* | HALL_WECHAT_* | see `wechat.py` and `notify.py` |

The rate limit is generous on purpose: phones behind a carrier's NAT share one address.
"""


# what a browser on another origin may send and read (the API's own headers)
CORS_OPTIONS = {
    "methods": ["GET", "HEAD", "POST", "DELETE", "OPTIONS"],
    "allow_headers": ["Content-Type", "If-None-Match", "Idempotency-Key", "Authorization"],
    "expose_headers": ["ETag", "Retry-After", "Location", "Idempotent-Replayed"],
    "max_age": 600, "send_wildcard": True, "vary_header": True,
}


def init_app(app):
    from werkzeug.middleware.proxy_fix import ProxyFix

    from ..api.spec import cached_routes
    from . import edge, notify, pages, wechat
    hall = app.extensions["hall"]
    front = edge.Edge(app.wsgi_app, routes=lambda: cached_routes(app), limiter=_limiter(app), cors=_cors(app),
                      ttl=float(app.config["PUBLIC_CACHE_TTL"]), token_valid=_token_check(app))
    app.wsgi_app = front
    proxies = int(app.config["TRUSTED_PROXIES"] or 0)
    if proxies:
        # the client's address as the nearest `proxies` reverse proxies saw it, for the rate
        # limit and everything else that asks for it
        app.wsgi_app = ProxyFix(front, x_for=proxies)
    # before anything is published: a phone that hears of a change over Socket.IO and reads again
    # must not be answered from before it
    hall.listen("invalidate", front.invalidate)
    app.extensions["public_edge"] = front
    app.register_blueprint(pages.bp)
    notify.init_app(app)
    wechat.init_app(app)


def _cors(app):
    """flask-cors on the API for the configured origins; its options, for the edge's own answers."""
    value = app.config["CORS_ORIGINS"]
    origins = [o.strip().rstrip("/") for o in (value.split(",") if isinstance(value, str) else value or ())
               if o and o.strip()]
    if not origins:
        return None
    from flask_cors import CORS
    from flask_cors.core import get_cors_options
    options = {"origins": "*" if "*" in origins else origins, **CORS_OPTIONS}
    CORS(app, resources={r"/api/v1/*": options})
    return get_cors_options(app, options)


def _limiter(app):
    from .ratelimit import MemoryLimiter, RedisLimiter
    rate, burst = float(app.config["RATE_LIMIT_PER_S"]), float(app.config["RATE_LIMIT_BURST"])
    if rate <= 0 or burst <= 0:
        return None
    store = app.config["RATE_LIMIT_STORE"] or ("redis" if app.config.get("REDIS_URL") else "memory")
    if store == "redis" and app.config.get("REDIS_URL"):
        from redis.backoff import NoBackoff
        from redis.retry import Retry
        from ..store.redis import connect, is_cluster
        # its own client with short timeouts and no retries: a limit must never stall a request
        client = connect(app.config["REDIS_URL"], socket_timeout=0.5, socket_connect_timeout=0.5, retry=None)
        if is_cluster(client):          # a cluster client retries unless told not to
            client.set_retry(Retry(NoBackoff(), 0))
        return RedisLimiter(client, rate, burst)
    return MemoryLimiter(rate, burst)


def _token_check(app):
    from ..auth import principal_for

    def valid(token):
        try:
            return principal_for(token, app.config["SECRET_KEY"], app.extensions["hall"].district()) is not None
        except Exception:  # noqa: BLE001 - a token we cannot check is not a valid one
            return False
    return valid
