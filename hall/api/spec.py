"""One declaration per route: what it takes, what it answers, who may call it, whether the edge caches it.

`@declare(...)` under a blueprint's route is the only place a route's shapes are written:
spectree (pydantic models from `models.py`) validates the request with it, the OpenAPI document
at /api/v1/openapi.json is generated from it, and the public edge (`hall/public/edge.py`) reads
its `cache=` to know which answers it may keep.

Why spectree: it decorates plain Flask blueprint views (no Flask or Blueprint subclass, unlike
flask-smorest, APIFlask or flask-openapi3), declares request *and* answer models, and validates
with pydantic v2, whose core is compiled. Two of its defaults are changed here, through the
plugin class it lets an app supply: the body is read the way the API always read it (any content
type, bad JSON is a 400 `bad_json`, not silently `{}`), and answers are not re-validated at run
time (tests check every answer against the document instead: a slip in a model must not turn a
served answer into a 500, nor cost every request a second JSON parse).
"""
import copy
import re
from dataclasses import dataclass

from flask import current_app, request
from spectree import Response, SpecTree
from spectree.plugins.base import Context
from spectree.plugins.flask_plugin import FlaskPlugin

from .common import ApiError, body
from .models import Error

PREFIX = "/api/v1"
EDGE_ATTR = "edge_cache"
GUARD_ATTR = "guard"
STATUS_TEXT = {
    400: "bad input", 401: "no valid token", 403: "not allowed for this caller", 404: "not found",
    405: "method not allowed", 409: "conflicts with the current state", 429: "rate limited",
    503: "closed, or the daily quota reached",
}


@dataclass(frozen=True)
class Cached:
    """The edge may keep this GET's answer for the TTL. `scope`: what the answer depends on
    (`district`, the `center` of `<cid>`, or the centre a `<tid>` names); `revalidate`: a
    request's own `Cache-Control: no-cache` reads the live state."""
    scope: str
    cache_control: str = "public, max-age=1"
    revalidate: bool = False


class _Plugin(FlaskPlugin):
    def request_validation(self, request, query, json, form, headers, cookies):
        # who may call and what the path names come first: 401, 403, 404 before a 400
        guard = getattr(current_app.view_functions[request.endpoint], GUARD_ATTR, None)
        if guard is not None:
            guard(**request.view_args)
        validate = self.model_adapter.validate_obj
        request.context = Context(
            # a blank argument is an absent one (a form's empty field)
            validate(query, {k: v for k, v in request.args.items() if v != ""}) if query else None,
            validate(json, body()) if json else None,
            None,
            validate(headers, dict(request.headers)) if headers else None,
            None)

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        return super().validate_response(resp, resp_model, True, force_resp_serialize)


def _refuse(req, resp, error, instance, adapter):
    """spectree's own 422 answer becomes the contract's 400 naming the field."""
    if error is not None:
        raise ApiError("bad_input", message(error.errors()[0]), 400)


def message(e):
    """One pydantic error in the API's words."""
    name = ".".join(str(p) for p in e["loc"]) or "the body"
    kind, ctx = e["type"], e.get("ctx") or {}
    if kind == "missing":
        return f"'{name}' is required"
    if kind == "string_type":
        return f"'{name}' must be text"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"'{name}' must be a whole number"
    if kind in ("float_type", "float_parsing"):
        return f"'{name}' must be a number"
    if kind in ("list_type", "tuple_type"):
        return f"'{name}' must be a list"
    if kind == "string_too_long":
        return f"'{name}' is longer than {ctx['max_length']} characters"
    if kind == "string_too_short":
        return f"'{name}' is shorter than {ctx['min_length']} characters"
    if kind == "literal_error":
        return f"'{name}' must be one of {ctx['expected']}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"'{name}' must be {'at least' if kind == 'greater_than_equal' else 'at most'} " \
               f"{ctx.get('ge', ctx.get('le'))}"
    return f"'{name}': {e['msg']}"


spec = SpecTree("flask", backend=_Plugin, mode="strict", title="Hall API", version="1",
                description="Queues of a district's government service centres (政务服务中心).",
                annotations=False, validation_error_status=400, validation_error_model=Error, before=_refuse,
                # components named as the models are (every model of ours has its own name)
                naming_strategy=lambda model: model.__name__, nested_naming_strategy=lambda parent, child: child)


def declare(ok, json=None, query=None, headers=None, errors=(400, 401, 403, 404), public=False, cache=None,
            guard=None):
    """Declare a view: `ok` maps its success statuses to answer models (None: no body);
    `errors` the statuses it refuses with; `public` routes need no token; `cache` a `Cached`;
    `guard(**path_args)` checks the caller and what the path names before the request's shape."""
    codes = {f"HTTP_{status}": model for status, model in ok.items()}
    codes.update({f"HTTP_{status}": (Error, STATUS_TEXT[status]) for status in errors})
    codes["HTTP_429"] = (Error, STATUS_TEXT[429])
    validate = spec.validate(json=json, query=query, headers=headers, resp=Response(**codes),
                             security=None if public else {"bearer": []})

    def decorate(view):
        view = validate(view)
        if cache is not None:
            setattr(view, EDGE_ATTR, cache)
        if guard is not None:
            setattr(view, GUARD_ATTR, guard)
        return view
    return decorate


def payload():
    """The validated body of this request (its model instance)."""
    return request.context.json


def args():
    return request.context.query


def header(name):
    return getattr(request.context.headers, name)


def openapi_path(rule):
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)


def cached_routes(app):
    """(rule, Cached) for every GET route declared cacheable: what the edge may keep."""
    for rule in app.url_map.iter_rules():
        cached = getattr(app.view_functions.get(rule.endpoint), EDGE_ATTR, None)
        if cached is not None and "GET" in rule.methods:
            yield rule, cached


def document(app):
    """The OpenAPI document of /api/v1, from the declarations and the edge's part in them."""
    doc = copy.deepcopy(spec.spec)
    doc["paths"] = {p[len(PREFIX):]: ops for p, ops in doc["paths"].items() if p.startswith(PREFIX + "/")}
    doc["servers"] = [{"url": PREFIX}]
    doc.pop("tags", None)
    doc["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    for ops in doc["paths"].values():
        for op in ops.values():
            op["responses"]["429"]["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                                 "description": "seconds"}}
            op["description"] = op.get("description") or ""
    for rule, cached in cached_routes(app):
        get = doc["paths"][openapi_path(rule.rule)[len(PREFIX):]]["get"]
        get["description"] += (" Cached for at most the edge's TTL (1 s); `ETag` on every answer, "
                               "`If-None-Match` → 304."
                               + (" `Cache-Control: no-cache` (or `max-age=0`) reads the live state."
                                  if cached.revalidate else ""))
        get["responses"]["200"]["headers"] = {"ETag": {"schema": {"type": "string"}}}
        get["responses"]["304"] = {"description": "not modified: the ETag sent in If-None-Match still holds"}
        get.setdefault("parameters", []).append(
            {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}})
    return doc


def openapi_json():
    doc = current_app.extensions.get("openapi")
    if doc is None:
        doc = current_app.extensions["openapi"] = document(current_app)
    return doc
