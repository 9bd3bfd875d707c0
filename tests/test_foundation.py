import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError


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
