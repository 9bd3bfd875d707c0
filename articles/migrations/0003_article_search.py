import django.contrib.postgres.search
from django.db import migrations, models

INDEX = "article_search_vector_gin"


def create_index(apps, schema_editor):
    # A GIN index exists only on PostgreSQL; it stays out of Meta.indexes so that
    # SQLite, which cannot build it, never tries to (e.g. when remaking the table).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article "
            "USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def fill_search_documents(apps, schema_editor):
    from articles.search import refresh_search_document

    Article = apps.get_model("articles", "Article")
    for article in Article.objects.using(schema_editor.connection.alias).iterator():
        refresh_search_document(article)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_document",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True
            ),
        ),
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(fill_search_documents, migrations.RunPython.noop),
    ]
