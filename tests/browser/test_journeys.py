"""The main journeys in a real browser: a liaison works in their scope and switches language."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import ipps

pytestmark = pytest.mark.browser

CHINESE_CATALOGUE = Path(ipps.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"


def test_liaison_sees_only_their_enterprises_and_switches_to_chinese(network, page, log_in):
    log_in(network.liaison_zgc.username)
    assert page.locator("#current-user").is_visible()

    page.goto("/enterprises/")
    table = page.locator("table")
    table.first.wait_for()
    text = page.locator("main").inner_text()
    assert network.ent_zgc.name in text
    assert network.ent_shangdi.name not in text
    assert network.ent_wangjing.name not in text

    page.get_by_role("link", name=network.ent_zgc.name).first.click()
    page.wait_for_url(f"**/enterprises/{network.ent_zgc.pk}/**")
    assert network.ent_zgc.uscc in page.locator("main").inner_text()

    assert page.get_attribute("html", "lang") == "en"
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert f"/enterprises/{network.ent_zgc.pk}/" in page.url
    if CHINESE_CATALOGUE.exists():
        assert "企业" in page.locator("nav").first.inner_text()


def test_home_page_screenshot(network, page, log_in, tmp_path):
    log_in(network.haidian_officer.username)
    page.goto("/")
    page.locator("#staff-overview").wait_for()
    shot = tmp_path / "home.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.exists() and shot.stat().st_size > 10_000
    if target := os.environ.get("IPPS_SCREENSHOT_DIR"):  # to look at it by hand
        Path(target).mkdir(parents=True, exist_ok=True)
        (Path(target) / "home.png").write_bytes(shot.read_bytes())
