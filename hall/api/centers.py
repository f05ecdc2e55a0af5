"""Public views of the district's centres: waits for crowd diversion, queues, windows, items."""
from flask import Blueprint, jsonify

from .. import views
from ..core.errors import Refused
from .common import hall, now

bp = Blueprint("api_centers", __name__)


@bp.get("/centers")
def list_centers():
    t = now()
    out = []
    for cid in hall().centre_ids():
        try:
            with hall().reading(cid) as state:
                out.append(views.center_summary(state, t, hall().waits(state)))
        except Refused:  # a stream that never became a centre
            continue
    return jsonify({"centers": out})


@bp.get("/centers/<cid>")
def get_center(cid):
    with hall().reading(cid) as state:
        return jsonify(views.center(state, now(), hall().waits(state)))


@bp.get("/centers/<cid>/items")
def list_items(cid):
    with hall().reading(cid) as state:
        return jsonify({"items": [views.item(state, it) for it in state.config.items.values()]})
