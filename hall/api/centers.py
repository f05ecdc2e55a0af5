"""Public views of the centres: waits for crowd diversion, queues, windows, items."""
from flask import Blueprint, current_app, jsonify

from .. import nearby, views
from . import models as m
from .common import hall, now
from .spec import Cached, args, declare

bp = Blueprint("api_centers", __name__)


# the district's answers keep to the TTL whatever a client asks: they are the ones worth flooding
@bp.get("/centers")
@declare({200: m.Centers}, query=m.CentersQuery, errors=(400,), public=True, cache=Cached("district"))
def list_centers():
    """every centre with its queues' waits (crowd diversion); `near=LAT,LON` nearest first with
    `distance_m`, `limit` and `offset` page the list"""
    q = args()
    # with neither, the whole list as it always was; otherwise only the page is summarized
    return jsonify({"centers": nearby.of(current_app).page(now(), q.near, q.limit, q.offset)})


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
