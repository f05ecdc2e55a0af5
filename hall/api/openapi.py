"""The OpenAPI 3.1 document of /api/v1, written from the same table the routes follow."""
from flask import Blueprint, jsonify

bp = Blueprint("api_openapi", __name__)

ERROR = {"$ref": "#/components/schemas/Error"}
TICKET = {"$ref": "#/components/schemas/Ticket"}
WINDOW = {"$ref": "#/components/schemas/Window"}


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary, who, ok, body=None, params=(), errors=(400, 401, 403, 404)):
    op = {"summary": summary, "description": f"Who: {who}.",
          "responses": {str(code): {"description": desc, **(_json(schema) if schema else {})}
                        for code, (desc, schema) in ok.items()}}
    for code in errors:
        op["responses"][str(code)] = {"description": "error", **_json(ERROR)}
    if body:
        op["requestBody"] = {"required": True, **_json(body)}
    if params:
        op["parameters"] = list(params)
    if who != "public":
        op["security"] = [{"bearer": []}]
    return op


def _path_param(name, kind="string"):
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


C, N, T = _path_param("center"), _path_param("number", "integer"), _path_param("ticket")
WINDOW_ACTIONS = {
    "open": ("open the window (the staff on duty is the caller)", None),
    "pause": ("pause calling", {"type": "object", "properties": {"reason": {"type": "string"}}}),
    "resume": ("resume calling", None),
    "close": ("close the window", None),
    "call-next": ("call the next ticket by the call policy; 204 when no one waits", None),
    "call": ("call one chosen waiting ticket out of order (id or today's number)",
             {"type": "object", "required": ["ticket"], "properties": {"ticket": {"type": "string"}}}),
    "recall": ("call the current ticket again, or call back a missed (过号) one",
               {"type": "object", "properties": {"ticket": {"type": "string"}}}),
    "start": ("the citizen arrived: service starts", None),
    "finish": ("service ends", None),
    "no-show": ("the called citizen did not come (过号)", None),
    "transfer": ("move the current ticket to another queue, keeping its number",
                 {"type": "object", "required": ["queue"], "properties": {
                     "queue": {"type": "string"}, "position": {"enum": ["first", "last"]}}}),
}


def document():
    paths = {
        "/auth/login": {"post": _op(
            "log in", "public",
            {200: ("a bearer token", {"type": "object", "properties": {
                "token": {"type": "string"}, "role": {"type": "string"}, "center": {"type": ["string", "null"]}}})},
            body={"type": "object", "required": ["username", "password"],
                  "properties": {"username": {"type": "string"}, "password": {"type": "string"}}},
            errors=(400, 401))},
        "/auth/me": {"get": _op("who the token stands for", "any token", {200: ("the principal", None)},
                                errors=(401,))},
        "/centers": {"get": _op("every centre with its queues' waits (crowd diversion)", "public",
                                {200: ("centres", {"type": "object", "properties": {
                                    "centers": {"type": "array", "items": {"$ref": "#/components/schemas/Center"}}}})},
                                errors=())},
        "/centers/{center}": {"get": _op("a centre: queues and windows", "public",
                                         {200: ("the centre", {"$ref": "#/components/schemas/Center"})},
                                         params=[C], errors=(404,))},
        "/centers/{center}/items": {"get": _op("service items with their queue and required materials", "public",
                                               {200: ("items", None)}, params=[C], errors=(404,))},
        "/centers/{center}/tickets": {"post": _op(
            "take a ticket", "kiosk device, staff, or public (phone)",
            {201: ("the ticket", TICKET)},
            body={"type": "object", "properties": {
                "queue": {"type": "string"}, "item": {"type": "string"},
                "priority": {"enum": ["normal", "priority"]}, "appointment_code": {"type": "string"}}},
            params=[C, {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"},
                        "description": "a retry with the same key returns the same ticket"}],
            errors=(400, 401, 403, 404, 409, 503))},
        "/tickets/{ticket}": {
            "get": _op("a ticket", "public (the id is unguessable)", {200: ("the ticket", TICKET)},
                       params=[T], errors=(404,)),
            "delete": _op("the citizen cancels a waiting ticket", "public", {200: ("the ticket", TICKET)},
                          params=[T], errors=(404, 409))},
        "/tickets/{ticket}/evaluation": {"post": _op(
            "rate the service (5 非常满意 … 1 非常不满意)", "public, bridge device",
            {201: ("the ticket", TICKET)},
            body={"type": "object", "required": ["score"], "properties": {
                "score": {"type": "integer", "minimum": 1, "maximum": 5}, "comment": {"type": "string"}}},
            params=[T], errors=(400, 401, 403, 404, 409))},
        "/centers/{center}/windows/{number}/queues": {"put": _op(
            "assign a window's queues and mode", "manager", {200: ("the window", WINDOW)},
            body={"type": "object", "required": ["queues"], "properties": {
                "queues": {"type": "array", "items": {"type": "string"}},
                "mode": {"enum": ["ordered", "longest_wait"]}}},
            params=[C, N], errors=(400, 401, 403, 404, 409))},
        "/centers/{center}/events": {"get": _op(
            "the event log after a sequence number", "manager, devices",
            {200: ("events", {"type": "object", "properties": {
                "events": {"type": "array"}, "last_seq": {"type": "integer"}, "more": {"type": "boolean"}}})},
            params=[C, {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}])},
        "/centers/{center}/devices/status": {"post": _op(
            "a device reports its health", "kiosk, display or bridge device", {200: ("recorded", None)},
            body={"type": "object", "required": ["status"], "properties": {
                "status": {"enum": ["ok", "fault", "offline"]}, "detail": {"type": "string"},
                "device": {"type": "string"}}},
            params=[C])},
    }
    for action, (summary, body) in WINDOW_ACTIONS.items():
        ticket_action = action not in ("open", "pause", "resume", "close")
        ok = {200: ("the ticket" if ticket_action else "the window", TICKET if ticket_action else WINDOW)}
        if action == "call-next":
            ok[204] = ("no one waits", None)
        paths[f"/centers/{{center}}/windows/{{number}}/{action}"] = {"post": _op(
            summary, "staff of the centre, bridge device", ok, body=body, params=[C, N],
            errors=(400, 401, 403, 404, 409))}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hall API", "version": "1",
                 "description": "Queues of a district's government service centres (政务服务中心)."},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
    }


NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_STR = {"type": ["string", "null"]}
SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
    "Ticket": {"type": "object", "required": ["id", "number", "center", "queue", "status", "ahead",
                                              "est_wait_s", "window", "issued_at", "called_at"],
               "properties": {
                   "id": {"type": "string"}, "number": {"type": "string", "examples": ["A001"]},
                   "center": {"type": "string"}, "queue": {"type": "string"},
                   "status": {"enum": ["waiting", "called", "serving", "done", "no_show", "cancelled"]},
                   "priority": {"enum": ["normal", "priority"]},
                   "ahead": {"type": "integer"}, "est_wait_s": NULLABLE_INT, "window": NULLABLE_INT,
                   "issued_at": {"type": "string", "format": "date-time"},
                   "called_at": NULLABLE_STR}},
    "Queue": {"type": "object", "required": ["id", "prefix", "name", "category", "waiting", "est_wait_s",
                                             "open_windows"],
              "properties": {"id": {"type": "string"}, "prefix": {"type": "string"}, "name": {"type": "string"},
                             "category": {"enum": ["comprehensive", "public_security", "specialty"]},
                             "waiting": {"type": "integer"}, "est_wait_s": NULLABLE_INT,
                             "open_windows": {"type": "integer"}}},
    "Window": {"type": "object", "required": ["number", "name", "state", "ticket"],
               "properties": {"number": {"type": "integer"}, "name": {"type": "string"},
                              "state": {"enum": ["open", "paused", "closed"]}, "ticket": NULLABLE_STR,
                              "queues": {"type": "array", "items": {"type": "string"}},
                              "mode": {"enum": ["ordered", "longest_wait"]}}},
    "Center": {"type": "object", "required": ["id", "name", "queues"],
               "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                              "queues": {"type": "array", "items": {"$ref": "#/components/schemas/Queue"}},
                              "windows": {"type": "array", "items": {"$ref": "#/components/schemas/Window"}}}},
}


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
