"""examples/mirror.py, run as a partner would, against a live server."""

import subprocess
import sys
from pathlib import Path

import pytest

from articles import publishing, services
from tests.factories import make_article, make_user

MIRROR = Path(__file__).resolve().parents[2] / "examples" / "mirror.py"


@pytest.fixture
def run_mirror(live_server, tmp_path):
    store = tmp_path / "mirror"

    def run(*extra):
        return subprocess.run(
            [
                sys.executable,
                str(MIRROR),
                f"{live_server.url}/api/v1/",
                "--store",
                str(store),
                "--check",
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )

    run.store = store
    return run


@pytest.mark.django_db(transaction=True)
def test_the_mirror_follows_publish_edit_slug_change_unpublish_and_delete(run_mirror):
    editor = make_user(role="editor")
    first = make_article(title="Tides", slug="tides")
    second = make_article(title="Storms", slug="storms")
    make_article(title="A draft", status="draft")
    result = run_mirror()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the copy equals the API" in result.stdout

    services.article_save(user=editor, article=first, fields={"dek": "Revised."})
    services.article_save(user=editor, article=second, fields={"slug": "storm-season"})
    third = make_article(title="Heat", slug="heat")
    publishing.explainer_unpublish(article=third, user=editor)
    fourth = make_article(title="Snow", slug="snow")
    services.article_delete(article=fourth, user=editor)
    make_article(title="Wind", slug="wind")

    result = run_mirror()
    assert result.returncode == 0, result.stdout + result.stderr
    copied = {path.stem for path in run_mirror.store.glob("*.json")}
    assert str(second.pk) in copied and str(third.pk) not in copied
    assert str(fourth.pk) not in copied


@pytest.mark.django_db(transaction=True)
def test_the_mirror_check_fails_when_the_copy_is_stale(run_mirror):
    article = make_article(title="Tides", slug="tides")
    assert run_mirror().returncode == 0
    copy = run_mirror.store / f"{article.pk}.json"
    copy.write_text(copy.read_text().replace('"Tides"', '"Old title"'))
    # Nothing new in the feed, so the stale copy stays and the check says so.
    result = run_mirror()
    assert result.returncode == 1
    assert f"{article.pk}: title differs" in result.stdout
