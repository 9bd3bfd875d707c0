from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Explainers"

    def ready(self):
        # Invalidation receivers: topic, author and article writes the admin makes.
        from . import surrogates, versions  # noqa: F401

        post_migrate.connect(create_cache_table, sender=self)


def create_cache_table(using, **kwargs):
    """`migrate` makes the shared cache's table (settings.CACHE_TABLE) wherever it runs,
    Redis or not, so a deployment can drop Redis with no extra step. Idempotent."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("createcachetable", settings.CACHE_TABLE, database=using, verbosity=0)
