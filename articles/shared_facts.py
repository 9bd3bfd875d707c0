"""One Key Fact in several explainers: the library editors pick facts from.

A fact used by several explainers has one row in each (its place and anchor
there), and those rows share a `uid`, their words, their "needs source" flag and
their sources. Every write that saves an explainer's rows calls `spread` in the
same transaction: it copies each shared fact's words and sources to the other
explainers' rows, adds those explainers to the revision (their change history
shows the correction), moves their cache versions and patches their working
copies. So a fact corrected once is corrected everywhere, and no page keeps the
old words.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import versions
from .citations import source_item
from .models import Article, KeyFact, KeyFactSource, WorkingCopy
from .models.sources import SOURCE_FIELDS

# What every row of one fact has in common.
SHARED_FIELDS = ("label", "text", "needs_source")


def library():
    """One row per fact (the first row made of it), for the admin's library."""
    first_rows = KeyFact.objects.values("uid").annotate(first=Min("pk"))
    return KeyFact.objects.filter(pk__in=first_rows.values("first"))


def rows_of(uid):
    """Every explainer's row of the fact `uid`, with its explainer."""
    return KeyFact.objects.filter(uid=uid).select_related("article")


def used_in(uid, *, published=False) -> list[Article]:
    """The explainers showing the fact `uid` (one query), by title."""
    articles = Article.objects.filter(key_facts__uid=uid)
    if published:
        articles = articles.published()
    return list(articles.distinct().order_by("title", "pk"))


def uses_by_uid(uids) -> dict:
    """{uid: [article, ...]} for `uids`, in one query."""
    uses = {}
    rows = KeyFact.objects.filter(uid__in=list(uids)).select_related("article")
    for row in rows.order_by("article__title", "article_id"):
        uses.setdefault(row.uid, []).append(row.article)
    return uses


def uids_of(article) -> set:
    if article.pk is None:
        return set()
    return set(KeyFact.objects.filter(article=article).values_list("uid", flat=True))


def _source_values(fact):
    return [
        tuple(getattr(source, name) for name in SOURCE_FIELDS)
        for source in fact.sources.all()
    ]


def _same(fact, other) -> bool:
    return all(
        getattr(fact, name) == getattr(other, name) for name in SHARED_FIELDS
    ) and _source_values(fact) == _source_values(other)


def _copy(fact, other) -> None:
    for name in SHARED_FIELDS:
        setattr(other, name, getattr(fact, name))
    other.save(update_fields=[*SHARED_FIELDS, "updated_at"])
    other.sources.all().delete()
    KeyFactSource.objects.bulk_create(
        KeyFactSource(
            annotation=other,
            position=position,
            **{name: getattr(source, name) for name in SOURCE_FIELDS},
        )
        for position, source in enumerate(fact.sources.all())
    )


def spread(article, *, user, can_publish, before=frozenset()) -> list[Article]:
    """Copy `article`'s shared facts to every other explainer using them.

    Call inside the write's transaction and revision, after `article`'s rows were
    saved. `before`: the fact uids `article` had before the write; explainers
    sharing a fact that was added or removed have their cache moved too (a fact's
    page lists where it is used). Returns the explainers whose words changed; the
    caller records them (`article_changed`, the revision).

    Changing the words of a fact that a published explainer shows elsewhere goes
    live there at once, so it needs the publish permission, as publishing does.
    """
    mine = {
        fact.uid: fact
        for fact in KeyFact.objects.filter(article=article).prefetch_related("sources")
    }
    touched = set(mine) ^ set(before)
    others = (
        KeyFact.objects.filter(uid__in=set(mine) | touched)
        .exclude(article=article)
        .select_related("article")
        .prefetch_related("sources")
    )
    changed, moved, corrected = {}, set(), {}
    for other in others:
        fact = mine.get(other.uid)
        if other.uid in touched:
            moved.add(other.article_id)
        if fact is None or _same(fact, other):
            continue
        if other.article.is_published() and not can_publish:
            raise ValidationError(
                _(
                    "“%(label)s” is shared with the published explainer “%(title)s”: "
                    "only an editor who can publish may change its words or sources."
                )
                % {"label": other.label, "title": other.article.title}
            )
        _copy(fact, other)
        changed[other.article_id] = other.article
        corrected[fact.uid] = fact
    for article_id in moved - set(changed):
        versions.article_bump(article_id)
    if corrected:  # only facts whose words changed can be stale in a working copy
        _patch_working_copies(corrected.values(), exclude=article.pk)
    return list(changed.values())


def _state_row(fact) -> dict:
    return {
        **{name: getattr(fact, name) for name in SHARED_FIELDS},
        "sources": [source_item(source) for source in fact.sources.all()],
    }


def _patch_working_copies(facts, *, exclude) -> None:
    """Give other explainers' working copies the facts' current words."""
    by_uid = {str(fact.uid): _state_row(fact) for fact in facts}
    copies = WorkingCopy.objects.filter(
        article__key_facts__uid__in=[fact.uid for fact in facts]
    ).exclude(article_id=exclude)
    for copy in copies.distinct():
        rows = copy.state.get("key_facts", [])
        dirty = False
        for row in rows:
            shared = by_uid.get(str(row.get("uid")))
            if shared is None:
                continue
            for name, value in shared.items():
                dirty |= row.get(name) != value
                row[name] = value
        if dirty:
            copy.save(update_fields=["state"])


def add_to_explainer(*, uid, article, user):
    """Add the fact `uid` to `article`, at the end of its Key Facts, through the desk.

    A live explainer gets it in its working copy (published with the rest), a draft
    at once. Refused when the explainer already shows the fact.
    """
    from . import publishing

    source = rows_of(uid).prefetch_related("sources").first()
    if source is None:
        raise ValidationError(_("That fact no longer exists."))
    state = publishing.current_state(article)
    ids = [row["id"] for row in state["key_facts"] if row.get("id")]
    if any(str(row.get("uid")) == str(uid) for row in state["key_facts"]) or (
        KeyFact.objects.filter(article=article, uid=uid, pk__in=ids).exists()
    ):
        raise ValidationError(_("This explainer already shows that fact."))
    row = {"id": None, "uid": str(uid), "anchor": "", **_state_row(source)}
    state = {**state, "key_facts": [*state["key_facts"], row]}
    return publishing.explainer_save(article=article, state=state, user=user)


def delete_fact(*, uid, user) -> list[Article]:
    """Delete the fact `uid` from every explainer showing it, as one revision.

    Deleting a published explainer's fact is a public change: publishers only.
    Working copies lose the fact too. Returns the explainers it was removed from.
    """
    from . import services

    rows = list(rows_of(uid))
    articles = {row.article_id: row.article for row in rows}
    if not services.can_publish(user) and any(
        article.is_published() for article in articles.values()
    ):
        raise PermissionDenied(
            _("Only editors may delete a fact that published explainers show.")
        )
    for copy in WorkingCopy.objects.filter(article_id__in=articles):
        rows_left = [
            row
            for row in copy.state.get("key_facts", [])
            if str(row.get("uid")) != str(uid)
        ]
        if len(rows_left) != len(copy.state.get("key_facts", [])):
            copy.state = {**copy.state, "key_facts": rows_left}
            copy.save(update_fields=["state"])
    services.rows_delete(
        user=user,
        rows=KeyFact.objects.filter(uid=uid),
        articles=list(articles.values()),
        comment=ngettext(
            "Deleted a shared fact from %(count)d explainer.",
            "Deleted a shared fact from %(count)d explainers.",
            len(articles),
        )
        % {"count": len(articles)},
    )
    return list(articles.values())
