"""Fixtures for the tests that run the site as real processes (tests/processes.py)."""

import pytest

from tests.processes import app_env, manage


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected once, as `make serve` does, for DEBUG-off app processes."""
    root = tmp_path_factory.mktemp("static")
    result = manage(
        "collectstatic",
        "--noinput",
        "--verbosity",
        "0",
        env=app_env(DJANGO_STATIC_ROOT=root, DATABASE_URL="sqlite:///:memory:"),
    )
    assert result.returncode == 0, result.stderr
    return root
