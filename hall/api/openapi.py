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
                "priority": {"enum": ["normal", "priority"]}, "appointment_code": {"type": "string"},
                "phone": {"type": "string", "description": "a remote ticket's holder (limits per phone)"},
                "openid": {"type": "string"},
                "location": {"type": "array", "items": {"type": "number"}, "description": "[lat, lon]"},
                "id_card": {"type": "object", "description": (
                    "kiosk device only: the card read on its reader, {\"number\", \"name\"}, or {\"ref\"} from "
                    "its id_card message; alone, checks in today's booking made with that ID number; "
                    "400 bad_id_number, 409 already_waiting (error.number)"),
                    "properties": {"number": {"type": "string"}, "name": {"type": "string"},
                                   "ref": {"type": "string"}}}}},
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
        "/centers/{center}/appointments": {
            "get": _op("free slots of a queue on a day", "public", {200: ("slots", None)},
                       params=[C, {"name": "queue", "in": "query", "required": True, "schema": {"type": "string"}},
                               {"name": "day", "in": "query", "schema": {"type": "string", "format": "date"}}],
                       errors=(400, 404, 409)),
            "post": _op("book a slot (name and phone are stored masked)", "public",
                        {201: ("the booking, with its code", {"$ref": "#/components/schemas/Appointment"})},
                        body={"type": "object", "required": ["queue", "day", "slot", "name", "phone"],
                              "properties": {"queue": {"type": "string"}, "day": {"type": "string", "format": "date"},
                                             "slot": {"type": "string", "examples": ["09:00-10:00"]},
                                             "name": {"type": "string"}, "phone": {"type": "string"}}},
                        params=[C], errors=(400, 404, 409, 503))},
        "/centers/{center}/appointments/{code}": {
            "get": _op("a booking by its code", "public", {200: ("the booking", {"$ref": "#/components/schemas/Appointment"})},
                       params=[C, _path_param("code")], errors=(404,)),
            "delete": _op("cancel a booking (the citizen sends the phone they booked with)", "public, manager",
                          {200: ("the booking", {"$ref": "#/components/schemas/Appointment"})},
                          body={"type": "object", "properties": {"phone": {"type": "string"}}},
                          params=[C, _path_param("code")], errors=(400, 403, 404, 409))},
        "/centers/{center}/appointments/{code}/check-in": {"post": _op(
            "check in: the booking becomes a ticket ahead of walk-ins (same as POST tickets with appointment_code)",
            "kiosk device, staff, public", {201: ("the ticket", TICKET)}, params=[C, _path_param("code")],
            errors=(401, 403, 404, 409, 503))},
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
        # --- managers (hall/manage) ---
        "/centers/{center}/board": {"get": _op(
            "the dashboard's picture: queues with trend and norms, windows with ticket and time in service, "
            "active alerts, follow-up counts, today's ratings, recommendations", "manager",
            {200: ("the board", None)}, params=[C])},
        "/centers/{center}/recommendations": {"get": _op(
            "window moves that would cut waits, best first (recomputed every minute; ?fresh=1 now)", "manager",
            {200: ("recommendations", None)}, params=[C])},
        "/centers/{center}/alerts": {"get": _op(
            "active 电子监察 alerts and the alert events of the last `days` (default 7, at most 31)", "manager",
            {200: ("alerts", None)}, params=[C, {"name": "days", "in": "query", "schema": {"type": "integer"}}])},
        **{f"/centers/{{center}}/alerts/{a}": {"post": _op(
            f"{a} an alert", "manager", {200: ("the alert", None)},
            body={"type": "object", "required": ["alert"], "properties": {
                "alert": {"type": "string"}, "note": {"type": "string"}}},
            params=[C], errors=(400, 401, 403, 404, 409))} for a in ("acknowledge", "resolve")},
        "/centers/{center}/followups": {"get": _op(
            "好差评 follow-ups of bad ratings (open ones and those closed in the last month)", "manager, staff",
            {200: ("follow-ups", None)}, params=[C])},
        **{f"/centers/{{center}}/followups/{a}": {"post": _op(
            f"follow-up step: {a}", "staff (appeal), manager", {200: ("the follow-up", None)},
            body={"type": "object", "required": ["followup", "note"], "properties": {
                "followup": {"type": "string"}, "note": {"type": "string"},
                "finding": {"enum": ["confirmed", "unfounded"]}, "outcome": {"enum": ["upheld", "overturned"]}}},
            params=[C], errors=(400, 401, 403, 404, 409))} for a in ("verify", "rectify", "reply", "appeal", "review")},
        "/centers/{center}/moves": {"post": _op(
            "move waiting tickets from one queue to another (all, or `count` from the `take` end)", "manager",
            {200: ("what moved", None)},
            body={"type": "object", "required": ["from", "to"], "properties": {
                "from": {"type": "string"}, "to": {"type": "string"}, "count": {"type": "integer", "minimum": 1},
                "take": {"enum": ["first", "last"]}}},
            params=[C], errors=(400, 401, 403, 404, 409))},
        "/centers/{center}/reports": {"get": _op(
            "a day/week/month report from the event log: by centre, queue, window, staff; arrivals heatmap",
            "manager", {200: ("the report (JSON, or a CSV/XLSX download)", None)},
            params=[C] + [{"name": n, "in": "query", "schema": sch} for n, sch in (
                ("period", {"enum": ["day", "week", "month"]}), ("date", {"type": "string", "format": "date"}),
                ("format", {"enum": ["json", "csv", "xlsx"]}),
                ("table", {"enum": ["centre", "queues", "windows", "staff", "days"]}))])},
        "/centers/{center}/audit": {"get": _op(
            "the audit log: events filtered by window, staff, ticket (id or number), type and time", "manager",
            {200: ("events, newest first", None)},
            params=[C] + [{"name": n, "in": "query", "schema": {"type": "string"}}
                          for n in ("from", "to", "window", "staff", "ticket", "type", "limit")])},
        "/users": {
            "get": _op("staff accounts (a manager sees their centre's)", "manager, admin", {200: ("users", None)},
                       errors=(401, 403)),
            "post": _op("add a user, or change one (password, centre, role, name, 工号)", "manager (staff of "
                        "their centre), admin", {200: ("changed", None), 201: ("added", None)},
                        body={"type": "object", "required": ["username"], "properties": {
                            k: {"type": "string"} for k in ("username", "role", "center", "name", "staff_no",
                                                              "password")}}, errors=(400, 401, 403))},
        "/devices": {
            "get": _op("devices (a manager sees their centre's)", "manager, admin", {200: ("devices", None)},
                       errors=(401, 403)),
            "post": _op("register a device or give it a new token (shown once)", "manager, admin",
                        {201: ("the device and its token", None)},
                        body={"type": "object", "required": ["name", "kind"], "properties": {
                            "name": {"type": "string"}, "kind": {"enum": ["kiosk", "display", "bridge"]},
                            "center": {"type": "string"}}}, errors=(400, 401, 403))},
        "/catalog": {
            "get": _op("the loaded catalogue (?format=yaml)", "manager, admin", {200: ("centres", None)},
                       errors=(401, 403)),
            "post": _op("load a YAML catalogue (the body)", "manager (their centre), admin",
                        {200: ("centres loaded and changed", None)}, errors=(400, 401, 403, 409))},
    }
    for action, (summary, body) in WINDOW_ACTIONS.items():
        ticket_action = action not in ("open", "pause", "resume", "close")
        ok = {200: ("the ticket" if ticket_action else "the window", TICKET if ticket_action else WINDOW)}
        if action == "call-next":
            ok[204] = ("no one waits", None)
        paths[f"/centers/{{center}}/windows/{{number}}/{action}"] = {"post": _op(
            summary, "staff of the centre, bridge device", ok, body=body, params=[C, N],
            errors=(400, 401, 403, 404, 409))}
    _edge(paths)
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


# The public edge (hall/public/edge.py): cached reads with ETags, and a rate limit per client on
# every request without a valid token.
CACHED_READS = ("/centers", "/centers/{center}", "/centers/{center}/items", "/tickets/{ticket}")


def _edge(paths):
    for path, ops in paths.items():
        for op in ops.values():
            op["responses"]["429"] = {
                "description": "rate limited (requests without a valid token, per client address)",
                "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
                **_json(ERROR)}
        if path in CACHED_READS:
            get = ops["get"]
            get["description"] += (" Cached for at most 1 s; `ETag` on every answer, `If-None-Match` → 304."
                                   + (" `Cache-Control: no-cache` (or `max-age=0`) reads the live state."
                                      if path == "/tickets/{ticket}" else ""))
            get["responses"]["200"]["headers"] = {"ETag": {"schema": {"type": "string"}}}
            get["responses"]["304"] = {"description": "not modified: the ETag sent in If-None-Match still holds"}
            get.setdefault("parameters", []).append(
                {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}})


NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_STR = {"type": ["string", "null"]}
SCHEMAS = {
    "Appointment": {"type": "object", "properties": {
        "code": {"type": "string"}, "queue": {"type": "string"}, "day": {"type": "string"},
        "slot": {"type": "string"}, "name": {"type": "string", "examples": ["张*"]},
        "phone": {"type": "string", "examples": ["138****5678"]},
        "status": {"enum": ["booked", "cancelled", "checked_in", "missed"]}, "ticket": NULLABLE_STR}},
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
                             "open_windows": {"type": "integer"},
                             "appointments": {"type": ["object", "null"],
                                              "description": "bookable slots and capacity, null when none"}}},
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
