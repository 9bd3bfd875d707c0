"""The editor admin for explainers, split into modules by what each screen does.

Django's admin autodiscovery imports ``articles.admin``, so this package imports
its modules here and the ``@admin.register`` decorators in them run at that
moment: ``article`` holds the explainer admin (its buttons, list, revisions and
Markdown preview), ``desk`` the form and the explainer's state, ``inlines`` the
annotation and correction inlines, ``authors_topics`` the author and topic
screens, ``library`` the Key Fact library.
"""

from .article import ArticleAdmin
from .authors_topics import ArticleCountMixin, AuthorAdmin, TopicAdmin
from .desk import ArticleAdminForm
from .inlines import (
    AnnotationInlineForm,
    CorrectionInline,
    FAQInline,
    KeyFactInline,
    OrderedInline,
    OrderedInlineFormSet,
    QuickAnswerInline,
)
from .library import KeyFactLibraryAdmin

__all__ = [
    "AnnotationInlineForm",
    "ArticleAdmin",
    "ArticleAdminForm",
    "ArticleCountMixin",
    "AuthorAdmin",
    "CorrectionInline",
    "FAQInline",
    "KeyFactInline",
    "KeyFactLibraryAdmin",
    "OrderedInline",
    "OrderedInlineFormSet",
    "QuickAnswerInline",
    "TopicAdmin",
]
