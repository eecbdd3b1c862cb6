"""The city officer drills from the network's "queries answered" to a district, a workstation, the
ledger rows, and exports them — in a real browser."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from ipps.core.models import Notification
from ipps.ledger.services import ledger_record

pytestmark = pytest.mark.browser

IP_TYPES = ("patent", "patent", "trademark", "copyright", "patent", "trade_secret")
STAGES = ("creation", "protection", "utilisation", "management", "protection")
CHANNELS = ("portal", "phone", "phone", "wechat", "walk_in", "email", "portal")


def _ledger(n) -> dict:
    """A year to date of acts across the network, in a pattern that makes the charts readable."""
    today = timezone.localdate()
    days = max((today - dt.date(today.year, 1, 1)).days, 0)
    stations = [
        (n.ws_zgc, n.ent_zgc, 5),
        (n.ws_shangdi, n.ent_shangdi, 3),
        (n.ws_wangjing, n.ent_wangjing, 4),
    ]
    counts = {u.pk: 0 for u, _e, _w in stations}
    i = 0
    for unit, enterprise, weight in stations:
        for j in range(weight * 12):
            date = dt.date(today.year, 1, 1) + dt.timedelta(days=(j * 37 + weight) % (days + 1))
            source = Notification.objects.create(user=n.admin, kind="test", text="source")
            kind = "case_assisted" if j % 9 == 0 else "query_answered"
            ledger_record(
                source=source, kind=kind, unit=unit, date=date, enterprise=enterprise,
                ip_type=IP_TYPES[i % len(IP_TYPES)], chain_stage=STAGES[i % len(STAGES)],
                channel=CHANNELS[i % len(CHANNELS)], quantity=1 + (j % 4),
            )  # fmt: skip
            if kind == "query_answered":
                counts[unit.pk] += 1 + (j % 4)
            i += 1
    return counts


def test_city_officer_drills_from_the_network_to_the_rows_and_exports(
    network, page, log_in, tmp_path
):
    n = network
    counts = _ledger(n)
    log_in(n.city_officer.username)
    page.click("#nav-dashboard")
    page.wait_for_url("**/dashboard/**")
    assert page.locator("#dashboard-title").inner_text() == "Network dashboard"
    total = sum(counts.values())
    assert page.locator("#tile-queries_answered .tile-value").inner_text() == f"{total:,}"

    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    if target := os.environ.get("IPPS_SCREENSHOT_DIR"):  # to look at it by hand
        Path(target).mkdir(parents=True, exist_ok=True)
        (Path(target) / "dashboard.png").write_bytes(shot.read_bytes())

    page.click("#tile-queries_answered")
    page.wait_for_url("**/dashboard/drill/**")
    assert page.locator("#drill-total").inner_text() == f"{total:,}"
    page.locator("#drill-children").get_by_role("link", name=n.haidian.name_en).click()
    page.wait_for_url(f"**unit={n.haidian.pk}**")
    haidian = counts[n.ws_zgc.pk] + counts[n.ws_shangdi.pk]
    assert page.locator("#drill-total").inner_text() == f"{haidian:,}"
    page.locator("#drill-children").get_by_role("link", name=n.ws_zgc.name_en).click()
    page.wait_for_url(f"**unit={n.ws_zgc.pk}**")
    assert page.locator("#drill-total").inner_text() == f"{counts[n.ws_zgc.pk]:,}"
    assert page.locator("#drill-children").count() == 0  # a workstation has no child units
    rows = page.locator("#ledger-rows tbody tr")
    assert rows.count() > 0
    assert "WS-110108-001" in rows.first.inner_text()
    if target:
        page.screenshot(path=str(Path(target) / "drill.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("#export-xlsx")
    download = download_info.value
    assert download.suggested_filename.startswith("ledger-WS-110108-001-")
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    values = list(sheet.values)[1:]
    assert sum(row[9] for row in values) == counts[n.ws_zgc.pk]
    assert {row[1] for row in values} == {"WS-110108-001"}
