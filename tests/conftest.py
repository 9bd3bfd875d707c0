import os
import shutil

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests import factories
from tests.helpers import require_or_skip, token_client

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


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


@pytest.fixture
def superuser_client(client):
    client.force_login(factories.make_user(role="superuser"))
    return client


@pytest.fixture
def api():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def api_as(db):
    """api_as(user): an API client signed in as `user` through a token."""
    return token_client


@pytest.fixture
def editor_api_client(editor):
    return token_client(editor)


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a fresh folder of this test's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE = True


# Markers by what a test needs, so a quick run can leave the slow kinds out
# (`pytest -m "not browser and not ops"`, README "How to test"). CI runs them all.
BROWSER_FIXTURES = {"browser", "browser_page", "chromium_path"}
PROCESS_FIXTURES = {"worker", "run_mirror", "live_server"}


def pytest_collection_modifyitems(config, items):
    ops_folder = os.path.join("tests", "ops") + os.sep
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        elif fixtures & PROCESS_FIXTURES or ops_folder in str(item.path):
            item.add_marker(pytest.mark.ops)
