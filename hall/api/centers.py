"""Public views of the district's centres: waits for crowd diversion, queues, windows, items."""
from flask import Blueprint, jsonify

from .. import views
from ..core.errors import Refused
from . import models as m
from .common import hall, now
from .spec import Cached, declare

bp = Blueprint("api_centers", __name__)


# the district's answers keep to the TTL whatever a client asks: they are the ones worth flooding
@bp.get("/centers")
@declare({200: m.Centers}, errors=(), public=True, cache=Cached("district"))
def list_centers():
    """every centre with its queues' waits (crowd diversion)"""
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
@declare({200: m.Center}, errors=(404,), public=True, cache=Cached("center"))
def get_center(cid):
    """a centre: queues and windows"""
    with hall().reading(cid) as state:
        return jsonify(views.center(state, now(), hall().waits(state)))


@bp.get("/centers/<cid>/items")
@declare({200: m.Items}, errors=(404,), public=True, cache=Cached("center"))
def list_items(cid):
    """service items with their queue and required materials"""
    with hall().reading(cid) as state:
        return jsonify({"items": [views.item(state, it) for it in state.config.items.values()]})
