"""Apps with the public edge's settings a test needs (low limits, CORS, WeChat, notifications)."""
import os

import pytest

from hall import catalog
from hall.app import create_app
from tests.helpers import small_center


@pytest.fixture
def make_app(tmp_path, clock):
    """make_app(**config) → an app on its own data dir with centres east and west; closed after."""
    apps = []

    def make(centers=None, **config):
        data = tmp_path / f"data{len(apps)}"
        app = create_app({"DATA_DIR": str(data), "CLOCK": clock, "SECRET_KEY": "test-secret", **config})
        hall = app.extensions["hall"]
        if not hall.centre_ids():
            catalog.load(hall, catalog.parse({"centers": centers or [small_center("east"), small_center("west")]}))
        apps.append(app)
        return app
    yield make
    for app in apps:
        notifier = app.extensions.get("notify")
        if notifier is not None:
            notifier.close()
        app.extensions["hall"].store.close()


def issue(client, headers, center="east", queue="general"):
    r = client.post(f"/api/v1/centers/{center}/tickets", json={"queue": queue}, headers=headers)
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.json


ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "test-artifacts")


@pytest.fixture
def artifacts():
    os.makedirs(ARTIFACTS, exist_ok=True)
    return ARTIFACTS
