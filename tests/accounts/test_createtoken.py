from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ipps.accounts.models import ApiToken, hash_token
from ipps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_createtoken_prints_a_working_token_once(network, client):
    out, err = StringIO(), StringIO()
    call_command(
        "createtoken",
        network.city_officer.username,
        "--name",
        "nightly export",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    assert raw.startswith("ipps_") and len(raw) > 30
    assert "will not be shown again" in err.getvalue()
    token = ApiToken.objects.get(user=network.city_officer)
    assert token.name == "nightly export"
    assert token.digest == hash_token(raw) and raw not in token.digest
    assert AuditEvent.objects.filter(action="token_created", object_id=str(token.pk)).exists()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["username"] == network.city_officer.username


def test_createtoken_for_an_unknown_user_fails_clearly(network):
    with pytest.raises(CommandError) as exc:
        call_command("createtoken", "nobody-here")
    assert exc.value.returncode == 1
    assert "No user is called 'nobody-here'" in str(exc.value)
    assert not ApiToken.objects.exists()
