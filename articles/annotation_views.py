"""A page of its own for each Key Fact, Quick Answer and FAQ entry, so one claim
can be cited, shared and embedded on its own ("Annotations as citable resources").

The address names the kind by a short word (`facts`, `answers`, `faq`); the page
costs three queries (the annotation joined to its published explainer, its
sources, and the comments on it; four when signed in), and a 304 one, however many annotations
and comments the explainer has.
"""

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import register_converter, reverse
from django.utils.cache import patch_cache_control
from django.utils.text import Truncator
from django.views.generic import DetailView

from comments.selectors import comments_region

from .cache import cache_anonymous
from .citations import sources_of
from .models import FAQ, Article, KeyFact, QuickAnswer
from .shared_facts import used_in
from .templatetags.explainers import plain_text
from .versions import depend_on_article, thread_version
from .views import REDIRECT_MAX_AGE, ConditionalPageMixin

# The word for each of ANNOTATION_KINDS in page and embed addresses.
KIND_WORDS = {KeyFact: "facts", QuickAnswer: "answers", FAQ: "faq"}
KINDS = {word: kind for kind, word in KIND_WORDS.items()}
# og:description and the meta description: about as long as an explainer's summary.
DESCRIPTION_LENGTH = 200


class AnnotationKindConverter:
    regex = "|".join(KINDS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(AnnotationKindConverter, "annotation_kind")


def annotation_url(annotation, view_name="articles:annotation"):
    """The address of `annotation`'s own page (or, by `view_name`, its embed card)."""
    kwargs = {
        "slug": annotation.article.slug,
        "kind": KIND_WORDS[type(annotation)],
        "anchor": annotation.anchor,
    }
    return reverse(view_name, kwargs=kwargs)


def published_annotation(kind, slug, anchor):
    """The `kind` annotation at `anchor` of the published explainer at `slug`, or None.

    One query; the explainer comes along (`.article`).
    """
    model = KINDS[kind]
    return (
        model.objects.select_related("article")
        .filter(article__in=Article.objects.published().filter(slug=slug))
        .filter(anchor=anchor)
        .first()
    )


def annotation_texts(annotation):
    """(title, plain text) of `annotation`: label and text, or question and answer."""
    title_field, text_field = type(annotation).text_fields
    html_field = type(annotation).html_field
    if html_field:
        text = plain_text(getattr(annotation, html_field))
    else:
        text = getattr(annotation, text_field)
    return getattr(annotation, title_field), text


def moved_annotation_redirect(request, slug, view_name, **kwargs):
    """Redirect (301) from an explainer's old slug, as `old_slug_redirect` does for
    its page; Http404 when no published explainer had `slug`."""
    current = (
        Article.objects.published()
        .at_old_slug(slug)
        .values_list("slug", flat=True)
        .first()
    )
    if current is None:
        raise Http404
    response = HttpResponsePermanentRedirect(
        reverse(view_name, kwargs={"slug": current, **kwargs})
    )
    patch_cache_control(response, public=True, max_age=REDIRECT_MAX_AGE)
    return response


class AnnotationView(ConditionalPageMixin, DetailView):
    template_name = "articles/annotation.html"
    context_object_name = "annotation"

    def get(self, request, *args, **kwargs):
        slug, kind, anchor = kwargs["slug"], kwargs["kind"], kwargs["anchor"]
        self.object = published_annotation(kind, slug, anchor)
        if self.object is None:
            if Article.objects.published().filter(slug=slug).exists():
                raise Http404  # the explainer is here; the anchor is not
            return moved_annotation_redirect(
                request, slug, "articles:annotation", kind=kind, anchor=anchor
            )
        # Every write to the explainer or its annotations moves its version, and
        # every comment write its thread's (the page lists the comments on it).
        depend_on_article(request, self.object.article_id, comments=True)
        # A Key Fact may be shared: its page lists the other explainers using it.
        self.also_in = []
        if isinstance(self.object, KeyFact):
            self.also_in = [
                article
                for article in used_in(self.object.uid, published=True)
                if article.pk != self.object.article_id
            ]
            for article in self.also_in:
                depend_on_article(request, article.pk)
        return super().get(request, *args, **kwargs)

    def validators(self):
        article = self.object.article
        anchor = (self.kwargs["kind"], self.object.anchor)
        parts = [
            article.pk,
            article.updated_at.isoformat(),
            *anchor,
            thread_version(self.request, article.pk),
            self.request.GET.get("comments", ""),
            *(f"{other.pk}:{other.updated_at.isoformat()}" for other in self.also_in),
        ]
        return parts, max(article.updated_at, article.publish_at)

    def get_object(self, queryset=None):
        return self.object

    def get_context_data(self, **kwargs):
        annotation = self.object
        title, text = annotation_texts(annotation)
        html_field = type(annotation).html_field
        return super().get_context_data(
            article=annotation.article,
            kind=self.kwargs["kind"],
            kind_name=type(annotation)._meta.verbose_name,
            annotation_title=title,
            annotation_text=text,
            # Sanitized when saved (FAQ.render_markdown).
            annotation_html=getattr(annotation, html_field) if html_field else "",
            annotation_summary=Truncator(text).chars(DESCRIPTION_LENGTH),
            # One query of its own (articles/citations.py).
            claim_sources=sources_of(annotation),
            also_in=self.also_in,
            comments_region=comments_region(
                self.request, annotation.article, annotation=annotation
            ),
            **kwargs,
        )


# Depends on its explainer only, not on the rest of the site.
annotation_page = cache_anonymous(AnnotationView.as_view(), lists=False)
