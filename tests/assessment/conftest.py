import datetime as dt
from pathlib import Path

import pytest

from ipps.assessment import services
from tests.reporting.conftest import act

EXAMPLE = Path(__file__).resolve().parents[2] / "src/ipps/assessment/data/workstation-scheme.yaml"


@pytest.fixture
def example_yaml() -> bytes:
    return EXAMPLE.read_bytes()


@pytest.fixture
def zgc_ledger(network):
    """2025 ledger rows for the Zhongguancun workstation, checked by hand in the tests."""
    n, day = network, dt.date(2025, 6, 10)
    act(n, n.ws_zgc, day, n.ent_zgc, kind="query_answered", quantity=1000)
    act(n, n.ws_zgc, day, n.ent_shangdi, kind="visit", quantity=27)
    act(n, n.ws_zgc, day, None, kind="case_assisted", quantity=3)
    act(n, n.ws_zgc, day, None, kind="training_delivered", quantity=2)
    act(n, n.ws_zgc, day, None, kind="policy_pushed", quantity=48)
    act(n, n.ws_wangjing, day, n.ent_wangjing, kind="query_answered", quantity=500)
    act(n, n.ws_zgc, dt.date(2024, 12, 31), n.ent_zgc, kind="visit", quantity=50)  # not 2025


@pytest.fixture
def published(network, example_yaml, zgc_ledger):
    scheme = services.scheme_import(source=example_yaml, acting_user=network.city_officer)
    return services.scheme_publish(scheme=scheme, acting_user=network.city_officer)
