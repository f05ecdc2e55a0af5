"""Every API answer that is not a success is `{"error": {"code", "message"}}`; never a 500 for input."""
import logging

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from ..core.errors import Refused
from ..store import Unavailable
from ..text import refusal_message

log = logging.getLogger(__name__)


def error(status, code, message, **details):
    response = jsonify({"error": {"code": code, "message": message, **details}})
    response.status_code = status
    return response


def register(app):
    @app.errorhandler(Refused)
    def refused(e):
        return error(e.status, e.code, refusal_message(e), **e.details())

    @app.errorhandler(Unavailable)
    def store_unavailable(e):
        # the store is out of reach or switching masters: for reads and writes alike, on every path;
        # a kiosk retries (with its Idempotency-Key, a retried ticket is the same ticket)
        response = error(503, e.code, refusal_message(e))
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(HTTPException)
    def http_error(e):
        if not request.path.startswith("/api/"):
            return e
        code = (e.name or "error").lower().replace(" ", "_")
        return error(e.code or 500, code, e.description or e.name)

    @app.errorhandler(Exception)
    def unexpected(e):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error(500, "internal", "something went wrong on our side; it has been logged")
