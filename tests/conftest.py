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
