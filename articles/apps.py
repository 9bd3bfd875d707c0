from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Explainers"

    def ready(self):
        # Version receivers: topic, author and article writes the admin makes.
        from . import versions  # noqa: F401
