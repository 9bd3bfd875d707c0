import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from tests.helpers import require_or_skip


def test_healthz_is_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_is_503_when_the_database_fails(client, db, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr("newsroom.views.connection.cursor", broken_cursor)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_dev_editor_is_refused_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("create_dev_editor")


def test_dev_editor_is_made_with_debug_and_can_use_the_admin(
    client, db, settings, capsys
):
    settings.DEBUG = True
    call_command("create_dev_editor")
    out = capsys.readouterr().out
    assert "username 'editor'" in out
    assert client.login(username="editor", password="newsroom-local-editor")
    assert client.get("/admin/").status_code == 200


def test_dev_editor_prints_the_admin_at_the_address_it_is_given(db, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("create_dev_editor", "--address", "127.0.0.1:8400", stdout=out)
    assert "(admin at http://127.0.0.1:8400/admin/)" in out.getvalue()


def test_make_run_passes_its_host_and_port_to_the_dev_editor():
    require_or_skip(shutil.which("make"), "make is not installed")
    plan = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", "HOST=0.0.0.0", "PORT=8400"],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    [line] = [line for line in plan.splitlines() if "create_dev_editor" in line]
    assert line.endswith("create_dev_editor --address 0.0.0.0:8400")
