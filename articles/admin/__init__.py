"""The editor admin for explainers, split into modules by what each screen does.

Django's admin autodiscovery imports ``articles.admin``, so this package imports
its modules here and the ``@admin.register`` decorators in them run at that
moment: ``article`` holds the explainer admin with its form, status actions,
revisions and Markdown preview; ``inlines`` holds the reorderable annotation
inlines and the correction inline; ``authors_topics`` holds the author and topic
screens. The names those modules define are re-exported so that anything written
against the old single ``articles/admin.py`` still finds them here.
"""

from .article import BEFORE_ATTR, ArticleAdmin, ArticleAdminForm, snapshot
from .authors_topics import ArticleCountMixin, AuthorAdmin, TopicAdmin
from .inlines import (
    ORDERED_ANNOTATIONS,
    PARKED_ANCHOR_PREFIX,
    AnnotationInlineForm,
    CorrectionInline,
    FAQInline,
    KeyFactInline,
    OrderedInline,
    OrderedInlineFormSet,
    QuickAnswerInline,
    park_annotations,
)

__all__ = [
    "BEFORE_ATTR",
    "ORDERED_ANNOTATIONS",
    "PARKED_ANCHOR_PREFIX",
    "AnnotationInlineForm",
    "ArticleAdmin",
    "ArticleAdminForm",
    "ArticleCountMixin",
    "AuthorAdmin",
    "CorrectionInline",
    "FAQInline",
    "KeyFactInline",
    "OrderedInline",
    "OrderedInlineFormSet",
    "QuickAnswerInline",
    "TopicAdmin",
    "park_annotations",
    "snapshot",
]
