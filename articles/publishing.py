"""The editor's desk: working copies of live explainers, review, and publishing.

Readers see an explainer's own rows. Once it is published, every edit to it is kept
in its working copy (`WorkingCopy.state`, the whole explainer as one dict made by
`explainer_state`) until an editor publishes it: then `explainer_publish` writes
the copy onto the rows in one transaction, as one revision, and every public
channel (pages, feeds, search, the API, the caches) changes at that moment and not
before. Drafts have no public version, so they are edited in place.

A working copy can be scheduled. Nothing runs a job for it: the next request after
its time applies it (`ScheduledChangesMiddleware`), and anonymous cache entries
expire at that time because the schedule is part of the content state
(articles/versions.py).
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from . import citations, markup, services, versions
from .changes import changes_catch_up
from .models import (
    ANNOTATION_KINDS,
    Article,
    Author,
    Correction,
    KeyFact,
    Topic,
    slug_words,
)
from .models import WorkingCopy as Copy

log = logging.getLogger(__name__)

# The article fields a working copy carries (status and publish time are the
# desk's own business, derived fields are made again on save).
STATE_FIELDS = (
    "title",
    "slug",
    "dek",
    "body",
    "background",
    "source_url",
    "source_title",
    "source_publisher",
    "hero_image",
    "hero_alt",
    "hero_credit",
    "comments_mode",
    "seo_title",
    "seo_description",
)
LISTS = {**services.ANNOTATION_LISTS, "corrections": (Correction, ("kind", "note"))}


def is_staged(article) -> bool:
    """Whether edits to `article` go to a working copy: it has a public version."""
    return article.pk is not None and article.status == Article.Status.PUBLISHED


def working_copy(article):
    """`article`'s working copy, or None."""
    try:
        return article.working_copy
    except Copy.DoesNotExist:
        return None


def explainer_state(article) -> dict:
    """The whole explainer as a JSON-ready dict: the form a working copy keeps."""
    fields = {name: getattr(article, name) for name in STATE_FIELDS}
    fields["hero_image"] = article.hero_image.name or ""
    if article.pk is None:
        return {"fields": fields, "authors": [], "topics": [], **{n: [] for n in LISTS}}
    state = {
        "fields": fields,
        "authors": sorted(article.authors.values_list("pk", flat=True)),
        "topics": sorted(article.topics.values_list("pk", flat=True)),
    }
    for name, (model, field_names) in LISTS.items():
        rows = model.objects.filter(article=article).order_by(*model._meta.ordering)
        if model is not Correction:
            rows = rows.prefetch_related("sources")
        state[name] = [_row_state(row, field_names) for row in rows]
    return state


def _row_state(row, field_names):
    item = {"id": row.pk, **{name: getattr(row, name) for name in field_names}}
    if isinstance(row, Correction):
        item["created_at"] = row.created_at.isoformat()
    else:
        item["anchor"] = row.anchor
        item["needs_source"] = row.needs_source
        item["sources"] = citations.sources_state(row)
    if isinstance(row, KeyFact):
        item["uid"] = str(row.uid)  # the fact's identity across explainers
    return item


def current_state(article) -> dict:
    """What the editor works on: the working copy if there is one, else the rows."""
    copy = working_copy(article) if article.pk else None
    return copy.state if copy is not None else explainer_state(article)


def _save_arguments(state) -> dict:
    corrections = [
        {**item, "created_at": parse_datetime(item["created_at"])}
        if item.get("created_at")
        else item
        for item in state["corrections"]
    ]
    return {
        "fields": dict(state["fields"]),
        "authors": state["authors"],
        "topics": state["topics"],
        **{kind.list_name: state[kind.list_name] for kind in ANNOTATION_KINDS},
        "corrections": corrections,
    }


def explainer_in_memory(state, *, base=None) -> Article:
    """An unsaved Article built from `state`, with its lists in place, for rendering.

    The reader templates read `article.key_facts.all` and friends; those come from
    the state, not the database. Nothing here is ever saved.
    """
    article = Article(pk=base.pk if base is not None and base.pk else 0)
    if base is not None:
        for field in Article._meta.concrete_fields:
            setattr(article, field.attname, getattr(base, field.attname))
    for name, value in state["fields"].items():
        setattr(article, name, value)
    if not article.slug:
        article.slug = slug_words(article.title, max_length=200) or "preview"
    article.body_html = markup.render(article.body)
    article.background_html = markup.render(article.background)
    if article.publish_at is None:
        article.publish_at = timezone.now()
    if article.updated_at is None:
        article.updated_at = timezone.now()
    cache_ = article.__dict__.setdefault("_prefetched_objects_cache", {})
    people = {
        "authors": Author.objects.filter(pk__in=state["authors"]),
        "topics": Topic.objects.filter(pk__in=state["topics"]),
    }
    for name, queryset in people.items():
        related = getattr(article, name).all()
        related._result_cache, related._prefetch_done = list(queryset), True
        cache_[name] = related
    for name, (model, field_names) in LISTS.items():
        items = []
        for position, item in enumerate(state[name]):
            row = model(pk=item.get("id"), article=article)
            if getattr(model, "shared_field", None) and item.get("uid"):
                setattr(row, model.shared_field, item["uid"])
            for field_name in field_names:
                setattr(row, field_name, item[field_name])
            if model is Correction:
                row.created_at = parse_datetime(item.get("created_at") or "") or (
                    timezone.now()
                )
            else:
                row.position = position
                row.anchor = item.get("anchor") or f"{model.anchor_prefix}-{position}"
                row.needs_source = bool(item.get("needs_source"))
                if "sources" in item:  # else (an older copy) the row's own, if any
                    citations.sources_in_memory(row, item["sources"])
                row.render_markdown()
            items.append(row)
        related = getattr(article, name).all()
        related._result_cache, related._prefetch_done = items, True
        cache_[name] = related
    return article


def state_from_revision(revision, article):
    """(state, corrections kept): `article` as a reversion revision saved it.

    Rows deleted since come back as new rows with their old anchors; every
    correction the explainer has now is kept, as corrections are a public record.
    """
    saved = {}
    for version in revision.version_set.select_related("content_type"):
        model = version.content_type.model_class()
        saved.setdefault(model, []).append(version.field_dict)
    fields_then = next(
        (f for f in saved.get(Article, []) if f.get("id") == article.pk), None
    )
    if fields_then is None:
        raise ValidationError(_("That revision does not hold this explainer."))
    state = explainer_state(article)
    for name in STATE_FIELDS:
        if name in fields_then:
            value = fields_then[name]
            state["fields"][name] = getattr(value, "name", value) or ""
    for name in ("authors", "topics"):
        if name in fields_then:
            state[name] = sorted(fields_then[name])
    sources_then = citations.revision_sources(saved)
    for name, (model, field_names) in services.ANNOTATION_LISTS.items():
        existing = set(
            model.objects.filter(article=article).values_list("pk", flat=True)
        )
        rows = sorted(saved.get(model, []), key=lambda row: row["position"])
        state[name] = [
            {
                "id": row["id"] if row["id"] in existing else None,
                "anchor": row["anchor"],
                **{field: row[field] for field in field_names},
                "needs_source": bool(row.get("needs_source")),
                "sources": sources_then.get((model, row["id"]), []),
            }
            for row in rows
            if row.get("article_id", row.get("article")) == article.pk
        ]
    then = {
        row["id"]: row
        for row in saved.get(Correction, [])
        if row.get("article_id", row.get("article")) == article.pk
    }
    kept = 0
    for item in state["corrections"]:
        old = then.get(item["id"])
        if old is None:
            kept += 1
            continue
        item.update(kind=old["kind"], note=old["note"])
    return state, kept


def state_with_changes(state, *, fields, authors=None, topics=None, **lists):
    """`state` with an API write's `fields` and lists in (articles/api/views.py).

    Status and publication time are not part of a working copy: they change by
    publishing. Rows keep their anchors by id; a list given replaces the old one.
    """
    staged_only = set(fields) - set(STATE_FIELDS)
    if staged_only:
        raise ValidationError(
            {
                name: [_("Publish or unpublish the explainer to change this.")]
                for name in staged_only
            }
        )
    state = {**state, "fields": {**state["fields"], **fields}}
    if authors is not None:
        state["authors"] = sorted(author.pk for author in authors)
    if topics is not None:
        state["topics"] = sorted(topic.pk for topic in topics)
    for name, items in lists.items():
        if items is None:
            continue
        if name == "corrections":
            state[name] = [{**item, "id": item.get("id")} for item in items]
            continue
        before = {row["id"]: row for row in state[name] if row.get("id")}
        state[name] = [
            citations.state_item(item, before.get(item.get("id"), {})) for item in items
        ]
    return state


# Writes


def _check_publisher(user):
    if not services.can_publish(user):
        raise PermissionDenied(_("Only editors may publish, schedule or unpublish."))


def _lock(article) -> Article:
    """Lock `article`'s row for the rest of the transaction (a no-op on SQLite)."""
    return Article.objects.select_for_update().get(pk=article.pk)


@transaction.atomic
def explainer_save(*, article, state, user, submit=False) -> Article:
    """Save an editor's or writer's work: in place for a draft, else to the copy.

    `submit` asks for review. Saving drops any schedule of the working copy: a
    schedule is for the version an editor looked at, not for later edits.
    """
    if article is None or not is_staged(article):
        article = services.article_save(
            user=user,
            article=article,
            **_save_arguments(state),
            comment=_("Saved a draft."),
        )
        if submit:
            article_submit(article=article, user=user)
        return article
    copy, _created = Copy.objects.select_for_update().get_or_create(article=article)
    copy.state, copy.updated_by, copy.publish_at = state, user, None
    if submit:
        copy.status = Copy.Status.REVIEW
    copy.save()
    if submit:
        _mark_submitted(article, user)
    schedule_changed()
    return article


def _mark_submitted(article, user):
    Article.objects.filter(pk=article.pk).update(
        submitted_by=user, submitted_at=timezone.now(), review_note=""
    )


@transaction.atomic
def article_submit(*, article, user) -> Article:
    """Ask an editor to review a draft, or a live explainer's working copy."""
    if is_staged(article):
        updated = Copy.objects.filter(article=article).update(status=Copy.Status.REVIEW)
        if not updated:
            raise ValidationError(_("There are no changes to review."))
    elif article.status != Article.Status.REVIEW:
        services.article_set_status(
            article=article,
            status=Article.Status.REVIEW,
            user=user,
            comment=_("Submitted for review."),
        )
    _mark_submitted(article, user)
    return article


@transaction.atomic
def explainer_publish(
    *, article, user, state=None, publish_at=None, comment="", now=False
) -> Article:
    """Publish `article` (with `state`, or its working copy) now or at `publish_at`.

    A draft becomes live, or scheduled when `publish_at` is still to come. A live
    explainer's changes are applied at once, or kept and applied at that time.
    `now`: a scheduled explainer appears at once too.
    """
    _check_publisher(user)
    if article.pk is not None:
        article = _lock(article)
    copy = working_copy(article) if article.pk is not None else None
    if state is None:
        state = copy.state if copy is not None else explainer_state(article)
    now = timezone.now()
    if is_staged(article) and publish_at is not None and publish_at > now:
        copy, _created = Copy.objects.get_or_create(article=article)
        copy.state, copy.updated_by, copy.publish_at = state, user, publish_at
        copy.status = Copy.Status.EDITING
        copy.save()
        schedule_changed()
        return article
    arguments = _save_arguments(state)
    fields = arguments["fields"]
    if not is_staged(article):
        fields.update(status=Article.Status.PUBLISHED, publish_at=publish_at)
    elif now and article.publish_at > timezone.now():
        fields.update(publish_at=timezone.now())
    article = services.article_save(
        user=user,
        article=article,
        **arguments,
        comment=comment
        or (_("Published changes.") if is_staged(article) else _("Published.")),
    )
    if copy is not None:
        copy.delete()
        schedule_changed()
    Article.objects.filter(pk=article.pk).update(review_note="")
    return article


@transaction.atomic
def explainer_unpublish(*, article, user) -> Article:
    """Take `article` off the site; its working copy, if any, becomes the draft."""
    _check_publisher(user)
    article = _lock(article)
    copy = working_copy(article)
    state = copy.state if copy is not None else explainer_state(article)
    fields = {"status": Article.Status.DRAFT}
    arguments = _save_arguments(state)
    arguments["fields"].update(fields)
    article = services.article_save(
        user=user, article=article, **arguments, comment=_("Unpublished.")
    )
    if copy is not None:
        copy.delete()
        schedule_changed()
    return article


@transaction.atomic
def explainer_discard(*, article, user) -> None:
    """Throw away `article`'s working copy; the live version stays as it is."""
    deleted, _rows = Copy.objects.filter(article=article).delete()
    if not deleted:
        raise ValidationError(_("There are no unpublished changes to discard."))
    schedule_changed()


@transaction.atomic
def review_send_back(*, article, user, note) -> Article:
    """Return a draft or working copy in review to its writer, with `note` mailed."""
    _check_publisher(user)
    note = note.strip()
    if not note:
        raise ValidationError(_("Say what needs to change before sending it back."))
    if is_staged(article):
        Copy.objects.filter(article=article).update(status=Copy.Status.EDITING)
    elif article.status == Article.Status.REVIEW:
        services.article_set_status(
            article=article,
            status=Article.Status.DRAFT,
            user=user,
            comment=_("Sent back to the writer."),
        )
    Article.objects.filter(pk=article.pk).update(review_note=note)
    article.review_note = note
    writer = article.submitted_by
    if writer is not None and writer.email:
        message = _(
            "%(editor)s sent “%(title)s” back to you with this note:\n\n%(note)s\n"
        ) % {"editor": user.get_username(), "title": article.title, "note": note}
        transaction.on_commit(
            lambda: send_mail(
                _("“%(title)s” needs changes") % {"title": article.title},
                message,
                settings.DEFAULT_FROM_EMAIL,
                [writer.email],
                fail_silently=True,
            )
        )
    return article


def waiting_for_review():
    """Drafts and working copies in review, the longest waiting first."""
    return (
        Article.objects.filter(
            Q(status=Article.Status.REVIEW) | Q(working_copy__status=Copy.Status.REVIEW)
        )
        .select_related("submitted_by")
        .order_by(F("submitted_at").asc(nulls_first=True), "pk")
    )


# Scheduled changes


def schedule_changed() -> None:
    """Remember the next scheduled change, now and after the write commits."""
    versions.schedule_moved()
    transaction.on_commit(versions.schedule_moved)


def publish_due_changes() -> int:
    """Apply every working copy whose time has come; returns how many went live.

    A copy that no longer validates (its slug was taken meanwhile, say) is left
    unscheduled and logged, so it is not retried on every request.
    """
    now = timezone.now()
    published = 0
    due = Copy.objects.filter(publish_at__lte=now).select_related(
        "article", "updated_by"
    )
    for copy in due:
        try:
            with transaction.atomic():
                locked = (
                    Copy.objects.select_for_update()
                    .filter(pk=copy.pk, publish_at__lte=now)
                    .first()
                )
                if locked is None:
                    continue  # another process got there first
                explainer_publish(
                    article=copy.article,
                    user=copy.updated_by,
                    comment=_("Published scheduled changes."),
                )
                published += 1
        except (ValidationError, PermissionDenied) as error:
            log.error(
                "scheduled changes to %s not published: %s", copy.article_id, error
            )
            Copy.objects.filter(pk=copy.pk).update(publish_at=None)
    # Scheduled explainers that appeared meanwhile: their "published" events.
    changes_catch_up()
    schedule_changed()
    return published


class ScheduledChangesMiddleware:
    """Apply scheduled working copies, and record scheduled explainers as published,
    on the first request after their time.

    Sits after the page cache's early hits: anonymous entries expire at the next
    scheduled change anyway, so every request that could show it passes here. It
    costs one cache read per request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            due = versions.changes_due()
            if due is not None and due <= timezone.now():
                publish_due_changes()
        except Exception:
            # An outage of the cache or the database is the views' to report
            # (/healthz, the 503 page); a late schedule is retried next request.
            log.exception("scheduled changes not checked")
        return self.get_response(request)
