import pytest

from tests.api.openapi_check import CheckedClient


@pytest.fixture
def client(app):
    """Every answer the API tests get is checked against the generated OpenAPI document."""
    app.test_client_class = CheckedClient
    return app.test_client()
