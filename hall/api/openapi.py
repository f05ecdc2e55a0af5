"""The OpenAPI document of /api/v1, generated from the routes' declarations (`spec.py`)."""
from flask import Blueprint, jsonify

from .spec import openapi_json

bp = Blueprint("api_openapi", __name__)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_json())
