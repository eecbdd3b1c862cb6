"""UTC times by arithmetic are the times `replace`, `astimezone` and `isoformat` give."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ipps.core import utc

SHANGHAI = ZoneInfo("Asia/Shanghai")
NAIVE = [
    dt.datetime(2026, 10, 1, 1, 30, 15, 123456),
    dt.datetime(2026, 10, 1, 1, 30, 15),
    dt.datetime(1, 1, 1),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
    dt.datetime(1969, 12, 31, 23, 59, 59, 1),
]


@pytest.mark.parametrize("naive", NAIVE)
def test_aware_and_naive_are_replace(naive):
    aware = utc.aware(naive)
    assert aware == naive.replace(tzinfo=dt.UTC) and aware.tzinfo is dt.UTC
    assert utc.naive(aware) == naive and utc.naive(aware).tzinfo is None
    assert utc.isoformat(aware) == aware.isoformat()


@pytest.mark.parametrize("naive", NAIVE[:2])
def test_other_zones(naive):
    local = naive.replace(tzinfo=SHANGHAI)
    assert utc.naive(local) == local.astimezone(dt.UTC).replace(tzinfo=None)
    assert utc.isoformat(local) == local.isoformat()  # keeps its own offset
    fixed = naive.replace(tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert utc.naive(fixed) == naive + dt.timedelta(hours=5)
