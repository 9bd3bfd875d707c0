"""Writes beyond 'save this form': status changes, checked for permission once, here."""

import reversion
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    ValidationError,
)
from django.db import transaction
from django.db.models import CharField, F, Max, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.text import capfirst

from figures.heroes import heroes_adopt

from . import citations, shared_facts, versions
from .changes import changes_record
from .models import (
    ANNOTATION_KINDS,
    Article,
    ArticleSlug,
    Author,
    Correction,
    Topic,
    slug_words,
    unique_slug,
)
from .search import refresh_search_documents

PUBLISH_PERMISSION = "articles.publish_article"

# Parked rows carry "~<pk>" as anchor: "~" never passes slug validation, so a parked
# anchor cannot clash with a real one.
PARKED_ANCHOR_PREFIX = "~"


def park_annotations(queryset, *, room=0, anchors_of=None):
    """Move rows to positions (and anchors) no final value can take.

    The (article, position) and (article, anchor) constraints are checked row by row,
    so a swap saved directly would collide half-way. Adding an offset above the
    current maximum keeps every parked position distinct from all others. Anchors
    are parked for the rows in `anchors_of` (all rows when None).
    """
    top = queryset.aggregate(top=Max("position"))["top"]
    if top is None:
        return
    queryset.update(position=F("position") + top + room + 1)
    rows = queryset if anchors_of is None else queryset.filter(pk__in=anchors_of)
    rows.update(anchor=Concat(Value(PARKED_ANCHOR_PREFIX), Cast("pk", CharField())))


def can_publish(user) -> bool:
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def can_see_unpublished(user) -> bool:
    """Staff who may change explainers: they see drafts, working copies and any
    explainer by its address (previews, the API). Everyone else sees published()."""
    return bool(
        user
        and user.is_active
        and user.is_staff
        and user.has_perm("articles.change_article")
    )


def check_status_change(*, user, old_status, new_status) -> None:
    """Refuse a status change the user may not make: only publishers publish or unpublish."""
    published = Article.Status.PUBLISHED
    if old_status == new_status:
        return
    if published in (old_status, new_status) and not can_publish(user):
        raise PermissionDenied("You do not have permission to publish or unpublish.")


@transaction.atomic
def article_set_status(
    *, article: Article, status: str, user, comment: str = ""
) -> Article:
    """Move an article to `status`, recording a revision; publishing needs permission."""
    check_status_change(user=user, old_status=article.status, new_status=status)
    article.status = status
    article.full_clean()
    with reversion.create_revision():
        article.save()
        reversion.set_user(user)
        reversion.set_comment(
            comment or f"Status set to {article.get_status_display()}."
        )
    article_changed(article)
    return article


def article_changed(article: Article, *, deleted: bool = False) -> None:
    """Call after any write to an article or its annotations, inside the write's
    transaction (`articles_changed` says what it does)."""
    articles_changed([article], deleted=deleted)


def articles_changed(articles, *, deleted: bool = False) -> None:
    """Call after a write to articles or their annotations, inside its transaction.

    The one place that reacts to content changes: it stamps `updated_at` (so pages,
    feeds and the API report the change), records the current slug (so the address
    keeps working after a change), adopts the hero into the image library, refreshes
    the search document, records a change event when readers saw something change
    (articles/changes.py) and moves the articles' and the site's cache versions
    (articles/versions.py), in queries whose number does not grow with the number
    of articles (a chart redrawn in each). `deleted`: they are about to be deleted.
    """
    articles = list(articles)
    if not articles:
        return
    ids = [article.pk for article in articles]
    if deleted:
        changes_record(articles, deleted=True)
        versions.article_bump(*ids)
        return
    now = timezone.now()
    Article.objects.filter(pk__in=ids).update(updated_at=now)
    for article in articles:
        article.updated_at = now
    # One upsert: a slug another explainer had before now names this one.
    ArticleSlug.objects.bulk_create(
        [ArticleSlug(article=a, slug=a.slug, recorded_at=now) for a in articles],
        update_conflicts=True,
        unique_fields=["slug"],
        update_fields=["article", "recorded_at"],
    )
    # The hero joins the image library: checked, EXIF stripped (figures/heroes.py).
    heroes_adopt(articles)
    refresh_search_documents(articles)
    changes_record(articles)
    versions.article_bump(*ids)


def _one_line(error: ValidationError, what: str) -> str:
    if hasattr(error, "error_dict"):
        parts = [
            " ".join(messages)
            if name == NON_FIELD_ERRORS
            else f"{name}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        ]
    else:
        parts = error.messages
    return f"{what}: {'; '.join(parts)}"


def _checked_save(obj, what: str, exclude=None) -> None:
    """full_clean() then save(), turning a ValidationError into one readable line."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ValidationError(_one_line(error, what)) from None
    obj.save()


def _by_name(model, name: str, what: str):
    found = model.objects.filter(name__iexact=name).order_by("pk").first()
    if found is None:
        found = model(name=name)
        # The slug is made from the name on save.
        _checked_save(found, f"{what} '{name}'", exclude=["slug"])
    return found


def article_from_document(data, **fields) -> Article:
    """An unsaved Article holding a document's own fields (`fields` override them).

    The import saves it; the admin's import page only checks it.
    """
    values = {
        "title": data.title,
        "slug": data.slug,
        "dek": data.dek,
        "body": data.body,
        "background": data.background,
        "source_url": data.source_url,
        "source_title": data.source_title,
        "source_publisher": data.source_publisher,
        "publish_at": data.publish_at,
        "comments_mode": data.comments,
    }
    return Article(**{**values, **fields})


@transaction.atomic
def explainer_import(
    *,
    data,
    publish: bool = False,
    slug: str | None = None,
    title: str | None = None,
    user=None,
    origin: str = "an explainer document",
) -> Article:
    """Create one article with its people, topics and annotations from `ExplainerData`.

    Refuses (ValidationError) an existing slug, a missing title or any invalid field;
    nothing is saved unless everything is. `user`, when given, must be allowed to
    publish a published import.
    """
    title = (title or data.title or "").strip()
    if not title:
        raise ValidationError(
            "The explainer has no title: "
            "add 'title:' to the front matter or pass --title."
        )
    slug = (slug or data.slug or slug_words(title, max_length=200)).strip()
    if not slug:
        slug = unique_slug(Article, title, max_length=200, fallback="explainer")
    if Article.objects.filter(slug=slug).exists():
        raise ValidationError(
            f"An explainer with the slug '{slug}' already exists; "
            "choose another with --slug (nothing was imported)."
        )
    status = Article.Status.PUBLISHED if publish else data.status
    if user is not None:
        check_status_change(
            user=user, old_status=Article.Status.DRAFT, new_status=status
        )
    article = article_from_document(
        data, title=title, slug=slug, status=status, created_by=user
    )
    with reversion.create_revision():
        _checked_save(article, "Explainer")
        article.authors.set(_by_name(Author, name, "Author") for name in data.authors)
        article.topics.set(_by_name(Topic, name, "Topic") for name in data.topics)
        for model in ANNOTATION_KINDS:
            items = getattr(data, model.list_name)
            what, names = capfirst(model._meta.verbose_name), model.text_fields
            # Stated anchors go in first so made-up ones step around them.
            order = sorted(range(len(items)), key=lambda i: not items[i].anchor)
            for position in order:
                item = items[position]
                obj = model(
                    article=article,
                    position=position,
                    anchor=item.anchor,
                    **dict(zip(names, item[:2], strict=True)),
                )
                _checked_save(obj, f"{what} {position + 1} ('{item[0][:40]}')")
                if item.anchor:
                    _claim_import(obj, data, what=f"{what} {position + 1}")
        for number, item in enumerate(data.corrections, 1):
            correction = Correction(
                article=article, kind=item.kind, note=item.note, created_at=item.date
            )
            _checked_save(correction, f"Correction {number}")
        article_changed(article)
        reversion.add_to_revision(article)
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(f"Imported from {origin}.")
    return article


def _claim_import(obj, data, *, what) -> None:
    """Give an imported claim the sources and flag its document states for it."""
    name, anchor = type(obj).list_name, obj.anchor
    if anchor in data.needs_source.get(name, []):
        obj.needs_source = True
        obj.save(update_fields=["needs_source"])
    items = data.sources.get(name, {}).get(anchor)
    if items:
        try:
            rows = citations.sources_prepare(type(obj), items, where="sources")
        except ValidationError as error:
            raise ValidationError(_one_line(error, f"{what}, its sources")) from None
        citations.sources_write(obj, rows)


# Writes of a whole article with its lists: the content API, and the editor's desk
# (articles/publishing.py) when it publishes a working copy.

ANNOTATION_LISTS = {
    kind.list_name: (kind, kind.text_fields) for kind in ANNOTATION_KINDS
}


def _item_errors(name, index, error):
    return ValidationError(
        {
            f"{name}.{index}.{field}": messages
            for field, messages in error.message_dict.items()
        }
    )


def _unknown_ids(model, name, items, existing):
    errors = {
        f"{name}.{index}.id": [
            f"No {model._meta.verbose_name} with id {item['id']} on this explainer."
        ]
        for index, item in enumerate(items)
        if item.get("id") is not None and item["id"] not in existing
    }
    if errors:
        raise ValidationError(errors)


def _annotations_replace(*, article: Article, name: str, items: list[dict]) -> None:
    """Make `article`'s `name` list exactly `items`, in order.

    Items with an `id` keep their row (and anchor, unless the item names another);
    others are created; rows not named are deleted.
    """
    model, field_names = ANNOTATION_LISTS[name]
    existing = {obj.pk: obj for obj in model.objects.filter(article=article)}
    _unknown_ids(model, name, items, existing)
    uids = [str(item["uid"]) for item in items if item.get("uid")]
    if len(uids) != len(set(uids)):
        raise ValidationError({name: "The same fact appears twice in this explainer."})
    kept = {item["id"] for item in items if item.get("id") is not None}
    model.objects.filter(article=article).exclude(pk__in=kept).delete()
    # Park kept rows above every position in use, and on anchors no final value can
    # take, so the new order and anchors never collide with the old ones under the
    # (article, position) and (article, anchor) unique constraints.
    park_annotations(model.objects.filter(pk__in=kept), room=len(items))
    objects = []
    for index, item in enumerate(items):
        pk = item.get("id")
        obj = existing[pk] if pk is not None else model(article=article)
        # The item itself changed (its words or its anchor), not only its place:
        # only then does it move its `updated_at`, which partners sync by.
        anchor = item.get("anchor") or obj.anchor
        changed = obj.pk is None or anchor != obj.anchor
        for field_name in field_names:
            changed |= getattr(obj, field_name) != item[field_name]
            setattr(obj, field_name, item[field_name])
        if item.get("needs_source") is not None:
            changed |= obj.needs_source != item["needs_source"]
            obj.needs_source = item["needs_source"]
        # Sources left out (None) stay as they are (articles/citations.py).
        sources = item.get("sources")
        if sources is not None:
            where = f"{name}.{index}.sources"
            sources = citations.sources_prepare(model, sources, where=where)
            if not citations.sources_differ(obj, sources):
                sources = None
        obj.position, obj.anchor = index, anchor
        if obj.pk is None and item.get("uid") and hasattr(obj, "uid"):
            obj.uid = item["uid"]  # a fact picked from the library (shared_facts.py)
        objects.append((index, obj, changed or sources is not None, sources))
    # Rows with an anchor first, so anchors made from text step around them.
    for index, obj, changed, sources in sorted(
        objects, key=lambda row: not row[1].anchor
    ):
        try:
            obj.full_clean(exclude=["anchor"] if not obj.anchor else None)
        except ValidationError as error:
            raise _item_errors(name, index, error) from None
        obj.save(update_fields=None if changed else ["position", "anchor"])
        if sources is not None:
            citations.sources_write(obj, sources)


def _corrections_replace(*, article: Article, items: list[dict], keep: bool) -> None:
    """Make `article`'s corrections `items`; `keep`: never delete one not named.

    Corrections readers may have seen are a public record: a live explainer's are
    only ever added to or reworded, never removed.
    """
    existing = {obj.pk: obj for obj in Correction.objects.filter(article=article)}
    _unknown_ids(Correction, "corrections", items, existing)
    if not keep:
        named = [item["id"] for item in items if item.get("id") is not None]
        Correction.objects.filter(article=article).exclude(pk__in=named).delete()
    for index, item in enumerate(items):
        pk = item.get("id")
        obj = existing[pk] if pk is not None else Correction(article=article)
        obj.kind = item.get("kind") or obj.kind
        obj.note = item["note"]
        if item.get("created_at"):
            obj.created_at = item["created_at"]
        try:
            obj.full_clean()
        except ValidationError as error:
            raise _item_errors("corrections", index, error) from None
        obj.save()


@transaction.atomic
def article_save(
    *,
    user,
    article: Article | None = None,
    fields: dict,
    authors: list | None = None,
    topics: list | None = None,
    key_facts: list[dict] | None = None,
    quick_answers: list[dict] | None = None,
    faqs: list[dict] | None = None,
    corrections: list[dict] | None = None,
    comment: str | None = None,
) -> Article:
    """Create (article=None) or change an article with its people, topics and lists.

    `fields` holds model field values; a list left as None is not touched, a given
    list replaces the old one (see `_annotations_replace`; corrections of a live
    explainer are never removed). Publishing, unpublishing and moving a published
    article's publish time need the publish permission.
    """
    creating = article is None
    if creating:
        article = Article(created_by=user)
    old_status, old_publish_at = article.status, article.publish_at
    new_status = fields.get("status", old_status)
    check_status_change(user=user, old_status=old_status, new_status=new_status)
    published = Article.Status.PUBLISHED
    if (
        "publish_at" in fields
        and fields["publish_at"] != old_publish_at
        and published in (old_status, new_status)
        and not can_publish(user)
    ):
        raise PermissionDenied(
            "You do not have permission to change when a published explainer appears."
        )
    for name, value in fields.items():
        setattr(article, name, value)
    article.full_clean()
    facts_before = shared_facts.uids_of(article) if key_facts is not None else set()
    with reversion.create_revision():
        article.save()
        if authors is not None:
            article.authors.set(authors)
        if topics is not None:
            article.topics.set(topics)
        lists = {"key_facts": key_facts, "quick_answers": quick_answers, "faqs": faqs}
        for name, items in lists.items():
            if items is not None:
                _annotations_replace(article=article, name=name, items=items)
        if corrections is not None:
            _corrections_replace(
                article=article,
                items=corrections,
                keep=published in (old_status, new_status),
            )
        if key_facts is not None:
            # A shared fact corrected here is corrected in every explainer using it.
            sharing = shared_facts.spread(
                article, user=user, can_publish=can_publish(user), before=facts_before
            )
            for other in sharing:
                article_changed(other)
                reversion.add_to_revision(other)
        article_changed(article)
        reversion.add_to_revision(article)
        reversion.set_user(user)
        reversion.set_comment(
            comment
            or ("Created through the API." if creating else "Changed through the API.")
        )
    return article


@transaction.atomic
def rows_delete(*, user, rows, articles, comment) -> None:
    """Delete annotation `rows` of `articles` as one revision of each explainer."""
    with reversion.create_revision():
        rows.delete()
        for article in articles:
            article_changed(article)
            reversion.add_to_revision(article)
        reversion.set_user(user)
        reversion.set_comment(comment)


@transaction.atomic
def article_delete(
    *, article: Article, user, comment="Deleted through the API."
) -> None:
    """Delete an article, keeping a revision it can be recovered from."""
    with reversion.create_revision():
        reversion.add_to_revision(article)
        reversion.set_user(user)
        reversion.set_comment(comment)
    article_changed(article, deleted=True)
    article.delete()


def article_publish_now(*, article: Article, user) -> Article:
    """Publish `article` at once: a future publish time is brought forward to now."""
    if not can_publish(user):
        raise PermissionDenied("You do not have permission to publish or unpublish.")
    if article.publish_at is not None and article.publish_at > timezone.now():
        article.publish_at = None
    return article_set_status(
        article=article,
        status=Article.Status.PUBLISHED,
        user=user,
        comment="Published now.",
    )
