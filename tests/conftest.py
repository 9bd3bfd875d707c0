import os
import shutil

import pytest
from django.core.cache import cache

from tests import factories

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


def require_or_skip(condition, reason):
    """Skip outside CI when something external is missing; in CI a skip is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)")
    pytest.skip(reason)


@pytest.fixture
def chromium_path():
    require_or_skip(
        os.path.exists(CHROMIUM) or shutil.which("chromium"),
        f"Chromium not found at {CHROMIUM}",
    )
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


# Debian's Chromium, headless, with nothing reaching outside this machine.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def browser(chromium_path, monkeypatch):
    """Chromium driven by Playwright's sync API (never a browser Playwright downloads)."""
    from playwright.sync_api import sync_playwright

    # The sync API runs an event loop in this thread; the ORM calls the tests and the
    # live server make are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def browser_page(browser):
    page = browser.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def editor(db):
    return factories.make_user(role="editor")


@pytest.fixture
def writer(db):
    return factories.make_user(role="writer")


@pytest.fixture
def reader(db):
    return factories.make_user()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client
