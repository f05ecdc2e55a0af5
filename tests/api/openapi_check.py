"""Check a served answer against the generated OpenAPI document (jsonschema, JSON Schema 2020-12)."""
import jsonschema
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

from hall.api.spec import PREFIX, openapi_path


def response_schema(doc, path, method, status):
    """The schema the document gives for this answer; KeyError when the status is not documented."""
    op = doc["paths"][path][method.lower()]
    documented = op["responses"][str(status)]
    content = documented.get("content", {}).get("application/json")
    return content["schema"] if content else None


def documented_path(app, method, url):
    """The document's path of the route this request reached, or None (no route: Flask's own 404/405)."""
    path = url.split("?")[0]
    if not path.startswith(PREFIX + "/") or path.endswith("openapi.json"):
        return None
    try:
        rule, _ = app.url_map.bind("localhost").match(path, method, return_rule=True)
    except HTTPException:
        return None
    return openapi_path(rule.rule)[len(PREFIX):]


def check(app, doc, method, url, response):
    """Raise unless the answer's status is documented for its route and its JSON body matches."""
    path = documented_path(app, method, url)
    if path is None or method in ("HEAD", "OPTIONS"):
        return False
    try:
        schema = response_schema(doc, path, method, response.status_code)
    except KeyError:
        raise AssertionError(f"{method} {path} answered {response.status_code}, which its document "
                             f"does not list") from None
    if schema is None:
        return True
    jsonschema.validate(response.get_json(), {**schema, "components": doc["components"]},
                        cls=jsonschema.Draft202012Validator)
    return True


class CheckedClient(FlaskClient):
    """A test client that checks every answer of /api/v1 against the app's OpenAPI document."""
    checked = 0

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        if check(self.application, self._doc(), request.method, request.path, response):
            CheckedClient.checked += 1
        return response

    def _doc(self):
        with self.application.app_context():
            from hall.api.spec import openapi_json
            return openapi_json()
