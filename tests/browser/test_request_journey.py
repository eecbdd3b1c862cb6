"""A request's whole journey in a real browser: the enterprise asks in Chinese, the liaison
escalates, the district officer answers, the enterprise rates."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ipps.casework.models import ServiceRequest

pytestmark = pytest.mark.browser

SUBJECT = "我们的发明专利被竞争对手仿冒怎么办"
DESCRIPTION = "我公司拥有一项发明专利，近期发现市场上有同类产品，想了解如何维权。"


def switch_user(page, log_in, username):
    # Let the last navigation finish first: its response renews the old session cookie.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    log_in(username)
    assert page.locator("#user-menu-username").text_content().strip() == username
    return page


def test_enterprise_asks_liaison_escalates_district_resolves_enterprise_rates(
    network, page, log_in, tmp_path
):
    # The enterprise's portal user files the request in Chinese.
    log_in(network.portal_zgc.username)
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    assert page.get_attribute("html", "lang") == "zh-hans"
    page.click("#nav-my-requests")
    page.wait_for_url("**/portal/requests/")
    page.click("#portal-new-request")
    page.fill("#id_subject", SUBJECT)
    page.fill("#id_description", DESCRIPTION)
    page.select_option("#id_ip_type", "patent")
    page.select_option("#id_chain_stage", "protection")
    page.select_option("#id_category", "consultation")
    page.click("#submit-request")
    page.wait_for_url("**/portal/requests/*/")
    req = ServiceRequest.objects.get()
    assert req.subject == SUBJECT and req.channel == "portal"
    assert req.reference in page.locator("#request-reference").inner_text()

    # The workstation's liaison finds it in their queue and escalates it to the district centre.
    switch_user(page, log_in, network.liaison_zgc.username)
    page.click("#nav-requests")
    page.wait_for_url("**/requests/")
    row = page.locator(f'tr[data-reference="{req.reference}"]')
    assert SUBJECT in row.inner_text()
    row.get_by_role("link", name=req.reference).click()
    page.wait_for_url(f"**/requests/{req.pk}/")
    page.click("#details-escalate summary")
    page.select_option("#id_escalate-to_unit", str(network.haidian.pk))
    page.fill("#id_escalate-reason", "涉及专利侵权，需区中心协调")
    page.click("#action-escalate")
    page.wait_for_url(f"**/requests/{req.pk}/")
    assert page.locator(".status-badge").first.get_attribute("data-status") == "escalated"
    req.refresh_from_db()
    assert req.handling_unit == network.haidian

    # The district officer sees it escalated in and answers it.
    switch_user(page, log_in, network.haidian_officer.username)
    page.goto("/requests/?tab=escalated")
    page.locator(f'tr[data-reference="{req.reference}"]').get_by_role(
        "link", name=req.reference
    ).click()
    page.wait_for_url(f"**/requests/{req.pk}/")
    assert "涉及专利侵权" in page.locator("#timeline").inner_text()
    page.click("#details-resolve summary")
    page.fill("#id_resolve-answer", "建议先固定证据，再向市场监管部门投诉或与对方协商。")
    page.click("#action-resolve")
    page.wait_for_url(f"**/requests/{req.pk}/")
    assert page.locator(".status-badge").first.get_attribute("data-status") == "resolved"
    shot = tmp_path / "request.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    # The enterprise reads the answer and rates it.
    switch_user(page, log_in, network.portal_zgc.username)
    page.goto(f"/portal/requests/{req.pk}/")
    assert "建议先固定证据" in page.locator("#timeline").inner_text()
    page.check("#id_rate-rating_0")  # five stars come first
    page.fill("#id_rate-comment", "答复及时，很满意")
    page.click("#action-rate")
    page.wait_for_url(f"**/portal/requests/{req.pk}/")
    req.refresh_from_db()
    assert req.rating == 5 and req.rating_comment == "答复及时，很满意"
    portal_shot = tmp_path / "portal.png"
    page.screenshot(path=str(portal_shot), full_page=True)

    if target := os.environ.get("IPPS_SCREENSHOT_DIR"):  # to look at them by hand
        Path(target).mkdir(parents=True, exist_ok=True)
        (Path(target) / "request.png").write_bytes(shot.read_bytes())
        (Path(target) / "portal-request.png").write_bytes(portal_shot.read_bytes())
