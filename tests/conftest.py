import pytest
from django.utils import translation

from tests import factories


@pytest.fixture
def isere():
    return factories.department("38", "Isère")


@pytest.fixture
def grenoble(isere):
    metro = factories.epci()
    return factories.commune("38185", "Grenoble", 158454, isere, metro)


@pytest.fixture
def clspd(grenoble):
    return factories.body(commune=grenoble)


@pytest.fixture(autouse=True)
def french():
    """Messages are asserted in French; a request in English must not leak into the next
    test (LocaleMiddleware leaves its language active in the thread)."""
    translation.activate("fr")
    yield
    translation.activate("fr")
