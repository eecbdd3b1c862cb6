"""The SQLite backend reads stored times as Django's own backend reads them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.backends.sqlite3.operations import DatabaseOperations as DjangoOperations
from django.db.models import DateTimeField

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the conversion belongs to the SQLite backend"
)


@pytest.mark.parametrize(
    "stored",
    [
        "2026-10-01 01:30:15.123456",
        "2026-10-01 01:30:15",
        "2026-10-01T01:30:15.5",
        "2026-10-01 01:30:15.5",
        "2026-10-01 01:30:15Z",
        "2026-10-01 01:30:15+08:00",
        "2026-10-01",
        None,
        dt.datetime(2026, 10, 1, 1, 30, 15),
        dt.datetime(2026, 10, 1, 1, 30, 15, 999999),
        dt.datetime(1, 1, 1),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
        dt.datetime(2026, 10, 1, 1, 30, 15, tzinfo=dt.UTC),
    ],
)
def test_stored_times_read_as_django_reads_them(db, stored):
    field = DateTimeField()
    ours = connection.ops.convert_datetimefield_value(stored, field, connection)
    django = DjangoOperations.convert_datetimefield_value(connection.ops, stored, field, connection)
    assert ours == django
    assert type(ours) is type(django)
    if ours is not None:
        assert ours.utcoffset() == django.utcoffset() == dt.timedelta(0) or "+08:00" in stored


def test_times_written_read_back_in_utc(db, network):
    from ipps.core.models import Notification

    moment = dt.datetime(2026, 10, 1, 9, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    note = Notification.objects.create(user=network.liaison_zgc, kind="x", text="y", read_at=moment)
    read = Notification.objects.get(pk=note.pk).read_at
    assert read == moment and read.tzinfo is dt.UTC and read.hour == 1
