import pytest

from tests.helpers import small_center
from .harness import Core


@pytest.fixture
def core(clock):
    return Core(small_center(), clock)
