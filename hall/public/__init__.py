"""The citizens' side on the open internet: the public edge (cache, ETag, rate limit, CORS), the
phone pages under /m/, the WeChat Official Account endpoint /wechat, and notifications.

`init_app(app)` wires it all; nothing happens on import. Settings come from the app config
(`hall/config.py` fills it from the environment):

| config | environment | default |
|---|---|---|
| CORS_ORIGINS | HALL_CORS_ORIGINS | none (comma-separated origins, or `*`) |
| RATE_LIMIT_PER_S, RATE_LIMIT_BURST | HALL_RATE_LIMIT_PER_S, HALL_RATE_LIMIT_BURST | 20 /s, 300 (0 turns it off) |
| RATE_LIMIT_STORE | HALL_RATE_LIMIT_STORE | `redis` when REDIS_URL is set, else `memory` |
| TRUSTED_PROXIES | HALL_TRUSTED_PROXIES | 0 (reverse proxies whose X-Forwarded-For to believe) |
| PUBLIC_CACHE_TTL | HALL_PUBLIC_CACHE_TTL | 1.0 s |
| PUBLIC_URL | HALL_PUBLIC_URL | the request's own host (links sent through WeChat) |
| WECHAT_* | HALL_WECHAT_* | see `wechat.py` and `notify.py` |

The rate limit is generous on purpose: phones behind a carrier's NAT share one address.
"""


def init_app(app):
    from . import edge, notify, pages, wechat
    hall = app.extensions["hall"]
    front = edge.Edge(app.wsgi_app, limiter=_limiter(app), cors_origins=app.config["CORS_ORIGINS"],
                      ttl=float(app.config["PUBLIC_CACHE_TTL"]), trusted_proxies=int(app.config["TRUSTED_PROXIES"]),
                      token_valid=_token_check(app))
    app.wsgi_app = front
    # before anything is published: a phone that hears of a change over Socket.IO and reads again
    # must not be answered from before it
    hall.listen("invalidate", front.invalidate)
    app.extensions["public_edge"] = front
    app.register_blueprint(pages.bp)
    notify.init_app(app)
    wechat.init_app(app)


def _limiter(app):
    from .ratelimit import MemoryLimiter, RedisLimiter
    rate, burst = float(app.config["RATE_LIMIT_PER_S"]), float(app.config["RATE_LIMIT_BURST"])
    if rate <= 0 or burst <= 0:
        return None
    store = app.config["RATE_LIMIT_STORE"] or ("redis" if app.config.get("REDIS_URL") else "memory")
    if store == "redis" and app.config.get("REDIS_URL"):
        import redis
        # its own client with short timeouts and no retries: a limit must never stall a request
        client = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=0.5, socket_connect_timeout=0.5,
                                      retry=None)
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
