"""`ipps demo` writes a year of casework through the services: small run, every value, idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from ipps.casework.choices import RequestStatus
from ipps.casework.models import (
    Evidence,
    Expert,
    InfringementCase,
    RequestEvent,
    ServiceRequest,
    SlaPolicy,
)
from ipps.core.choices import Channel
from ipps.core.models import AuditEvent
from ipps.demo.requests import requests_for
from ipps.ledger.models import ServiceRecord
from tests.demo.conftest import loaded_for_the_module


def run(*args) -> str:
    out = StringIO()
    call_command("demo", "--enterprises", "150", "--requests", "40", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media), loaded_for_the_module(django_db_blocker):
        yield run(), media


@pytest.fixture
def demo(loaded, db, settings):
    output, settings.MEDIA_ROOT = loaded
    return output


def test_every_status_and_channel_is_there(demo):
    assert ServiceRequest.objects.count() == 40
    statuses = set(ServiceRequest.objects.values_list("status", flat=True))
    assert statuses == set(RequestStatus.values)
    assert set(ServiceRequest.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert "Casework: 40 requests" in demo


def test_policies_experts_and_cases(demo):
    assert SlaPolicy.objects.count() >= 5
    assert Expert.objects.count() == 12
    cases = InfringementCase.objects.all()
    assert cases.exists()
    for item in Evidence.objects.select_related("attachment"):
        assert len(item.attachment.sha256) == 64
    received = ServiceRequest.objects.values_list("received_at", flat=True)
    assert (max(received) - min(received)).days > 60


def test_ledger_matches_the_answered_requests(demo):
    answered = (
        ServiceRequest.objects.filter(events__kind="status", events__to_status="resolved")
        .distinct()
        .count()
    )
    assert answered > 0
    from_requests = ServiceRecord.objects.exclude(source_type="demo.ledger")
    assert from_requests.filter(kind="query_answered").count() == answered
    resolved_or_closed = ServiceRequest.objects.filter(
        status__in=[RequestStatus.RESOLVED, RequestStatus.CLOSED]
    )
    for request in resolved_or_closed:
        assert (
            ServiceRecord.objects.filter(kind="query_answered", source_id=str(request.pk)).count()
            == 1
        )
    # Events happened in the past, in order, not at the time the demo ran.
    first = RequestEvent.objects.order_by("at").first()
    assert first.at == ServiceRequest.objects.order_by("received_at").first().received_at


def test_second_run_creates_nothing(demo):
    counts = (
        ServiceRequest.objects.count(),
        RequestEvent.objects.count(),
        AuditEvent.objects.count(),
        ServiceRecord.objects.count(),
    )
    out = run()
    assert "nothing new was created" in out
    assert counts == (
        ServiceRequest.objects.count(),
        RequestEvent.objects.count(),
        AuditEvent.objects.count(),
        ServiceRecord.objects.count(),
    )


def test_default_count_scales_with_the_network():
    assert requests_for(3000) == 1500
    assert requests_for(200) == 20
