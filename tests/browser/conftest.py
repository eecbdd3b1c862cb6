"""Browser tests drive Debian's chromium through Playwright (never `playwright install`).

Without chromium they are skipped locally, and fail in CI, where .ci/run installs it.
"""

from __future__ import annotations

import os

import pytest

from tests.conftest import IN_CI, chromium_path

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = chromium_path()
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def _require_chromium():
    """Every test in this directory: skipped without chromium, but failed in CI."""
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("chromium is required in CI (CI=true) but /usr/bin/chromium is missing")
        pytest.skip("browser tests need chromium at /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser(_require_chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def log_in(page, password):
    def _log_in(username: str):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return _log_in
