"""export_site / import_site: a backup restored into a fresh database serves the same pages."""

import contextlib
import gzip
import json
import re
import textwrap
import uuid

import psycopg
import pytest
import reversion
from django.conf import settings
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from articles.models import Article, Topic
from comments import services as comment_services
from comments.models import BannedWord, Comment, Flag
from tests import factories
from tests.processes import app_env, database_url, manage, on_postgresql

# Run in the restored database's own process: the article page as an anonymous
# reader sees it, and a few facts that pages do not show.
RENDER = textwrap.dedent(
    """
    import json
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token
    from reversion.models import Version
    from articles.models import Article, Topic
    from comments.models import BannedWord, Comment, Flag
    setup_test_environment()
    article = Article.objects.get(slug="{slug}")
    editor = get_user_model().objects.get(username="{editor}")
    print(json.dumps({{
        "html": Client().get(article.get_absolute_url()).content.decode(),
        "search": Client().get("/search/?q=levee").content.decode(),
        "password": editor.password,
        "groups": sorted(editor.groups.values_list("name", flat=True)),
        "token": Token.objects.get(user=editor).key,
        "versions": Version.objects.get_for_object(article).count(),
        "comments": Comment.objects.count(),
        "flags": Flag.objects.count(),
        "banned": list(BannedWord.objects.values_list("word", flat=True)),
    }}))
    """
)


STATIC_HASH = re.compile(r"(/static/[^\"']+?)\.[0-9a-f]{12}(\.\w+)")


def explainer_region(html: str) -> str:
    """The explainer with its annotations, related cards and comment thread (static
    addresses without the content hash production storage adds)."""
    start = html.index('<article class="explainer">')
    return STATIC_HASH.sub(r"\1\2", html[start : html.index("</main>", start)])


@contextlib.contextmanager
def fresh_database(tmp_path):
    """A DATABASE_URL for a new, empty database on the same server; dropped after."""
    if not on_postgresql():
        yield database_url(name=tmp_path / "restored.sqlite3")
        return
    name = f"{settings.DATABASES['default']['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    db = settings.DATABASES["default"]
    admin = psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield database_url(name=name)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def site(db):
    """A small site: every kind of row a backup must carry."""
    editor = factories.make_user(role="editor", username="restore-editor")
    reader = factories.make_reader(username="restore-reader")
    topic = factories.make_topic("Floods")
    author = factories.make_author("Rita River")
    article = factories.make_article(
        title="Why the levee failed",
        facts=3,
        answers=2,
        faqs=2,
        corrections=1,
        topics=[topic],
        authors=[author],
        background="The levee was built in **1962**.",
        source_url="https://example.org/levee",
        source_title="Levee report",
    )
    factories.make_article(title="Another explainer", topics=[topic])
    with reversion.create_revision():
        article.save()
        reversion.set_user(editor)
        reversion.set_comment("Checked the figures.")
    first = comment_services.comment_post(
        article=article, author=reader, body="Thanks, this was *clear*.", ip="10.0.0.1"
    )
    comment_services.comment_post(
        article=article, author=editor, body="Glad it helped.", parent=first
    )
    Flag.objects.create(comment=first, user=editor, reason=Flag.Reason.OTHER)
    BannedWord.objects.create(word="spamword")
    Token.objects.create(user=editor)
    return article, editor


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_serves_the_same_explainer(
    site, client, tmp_path, static_root
):
    article, editor = site
    backup = tmp_path / "site.json.gz"
    call_command("export_site", str(backup))
    original = client.get(article.get_absolute_url()).content.decode()
    assert "Glad it helped." in original

    with fresh_database(tmp_path) as url:
        env = app_env(DATABASE_URL=url, DJANGO_STATIC_ROOT=static_root)
        # A process-local cache, so no page can come from the original's cache.
        env.pop("REDIS_URL", None)
        migrated = manage("migrate", "--noinput", env=env)
        assert migrated.returncode == 0, migrated.stderr
        restored = manage("import_site", str(backup), env=env)
        assert restored.returncode == 0, restored.stderr
        assert "2 explainers, 2 comments" in restored.stdout
        script = RENDER.format(slug=article.slug, editor=editor.username)
        result = manage("shell", "-c", script, env=env)
        assert result.returncode == 0, result.stderr

    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert explainer_region(facts["html"]) == explainer_region(original)
    assert "Why the levee failed" in facts["search"]  # search data was rebuilt
    # The same hash, so the same password signs in.
    assert facts["password"] == editor.password
    assert facts["groups"] == ["Editor"]
    assert facts["token"] == Token.objects.get(user=editor).key
    assert facts["versions"] == 1
    assert facts["comments"] == Comment.objects.count() == 2
    assert facts["flags"] == 1
    assert facts["banned"] == ["spamword"]


def test_export_writes_plain_json_that_names_users_by_username(site, tmp_path):
    backup = tmp_path / "site.json"
    call_command("export_site", str(backup))

    rows = json.loads(backup.read_text())
    models = {row["model"] for row in rows}
    assert {"articles.article", "articles.keyfact", "reversion.version"} <= models
    assert not models & {"sessions.session", "contenttypes.contenttype"}
    comment = next(row for row in rows if row["model"] == "comments.comment")
    assert comment["fields"]["author"] == ["restore-reader"]


def test_import_refuses_a_database_that_already_has_content(site, tmp_path):
    backup = tmp_path / "site.json"
    call_command("export_site", str(backup))

    with pytest.raises(CommandError, match=r"Refusing to import .*--force"):
        call_command("import_site", str(backup))
    assert Article.objects.count() == 2


def test_import_with_force_loads_over_existing_rows(site, tmp_path):
    article, _ = site
    backup = tmp_path / "site.json"
    call_command("export_site", str(backup))
    Article.objects.filter(pk=article.pk).update(title="Changed after the backup")

    call_command("import_site", str(backup), "--force")

    assert Article.objects.get(pk=article.pk).title == "Why the levee failed"


def test_import_names_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match=r"No such file: .*nothing\.json"):
        call_command("import_site", str(tmp_path / "nothing.json"))


def test_import_reports_bad_json_with_its_position(db, tmp_path):
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(gzip.compress(b'[{"model": "articles.topic",'))

    with pytest.raises(CommandError, match=r"not valid JSON \(line 1, column"):
        call_command("import_site", str(broken))


def test_import_refuses_json_that_is_not_a_backup(db, tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"title": "an explainer document"}')

    with pytest.raises(CommandError, match="not a backup made by export_site"):
        call_command("import_site", str(other))


def test_import_loses_nothing_when_a_row_is_bad(db, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            [
                {
                    "model": "articles.topic",
                    "pk": 1,
                    "fields": {"name": "A", "slug": "a"},
                },
                {"model": "articles.nosuchmodel", "pk": 1, "fields": {}},
            ]
        )
    )

    with pytest.raises(CommandError, match=r"Cannot import .*Nothing was imported"):
        call_command("import_site", str(bad))
    assert not Topic.objects.exists()


def test_export_names_a_missing_directory(db, tmp_path):
    with pytest.raises(CommandError, match="no directory"):
        call_command("export_site", str(tmp_path / "missing" / "site.json"))
