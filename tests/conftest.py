import pytest

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
