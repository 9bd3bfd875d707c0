"""No lost work: autosaved forms, and who else has an explainer open.

The explainer form's script (static/js/admin-desk.js) posts the whole form a few
seconds after typing stops (`autosave_view`) and says every little while that
the editor still has it open (`presence_view`). Autosaves live in the database,
so they outlive a closed tab or a crashed browser; reopening the explainer offers
them back (`?restore=autosave` shows the form exactly as it was typed, saving
nothing). Presence lives in the cache: it matters only for a minute.
"""

import time
from datetime import UTC, datetime

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse, QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import Autosave

# How long a "still editing" signal counts; the script sends one every 20 seconds.
PRESENCE_SECONDS = 60
# Fields never kept in an autosave: they belong to one request.
# (The edit token is kept: a restored form saved after someone else's save is
# refused like any stale form.)
NOT_KEPT = {"csrfmiddlewaretoken", "_action"}


def _presence_key(article_id):
    return f"desk:editing:{article_id}"


def editors_present(article_id, user) -> list[dict]:
    """Others who had the explainer open within the last minute, with since when."""
    now = time.time()
    present = cache.get(_presence_key(article_id), {})
    return [
        {"name": name, "since": since}
        for user_id, (name, since, seen) in sorted(present.items())
        if user_id != user.pk and now - seen < PRESENCE_SECONDS
    ]


def mark_present(article_id, user) -> None:
    key, now = _presence_key(article_id), time.time()
    present = {
        user_id: entry
        for user_id, entry in cache.get(key, {}).items()
        if now - entry[2] < PRESENCE_SECONDS
    }
    name = user.get_full_name() or user.get_username()
    since = present.get(user.pk, (name, now, now))[1]
    present[user.pk] = (name, since, now)
    cache.set(key, present, PRESENCE_SECONDS * 2)


def presence_lines(article_id, user) -> list[str]:
    return [
        _("%(name)s is editing since %(time)s")
        % {
            "name": entry["name"],
            "time": date_format(
                timezone.localtime(datetime.fromtimestamp(entry["since"], tz=UTC)),
                "TIME_FORMAT",
            ),
        }
        for entry in editors_present(article_id, user)
    ]


def autosave_for(user, article):
    return Autosave.objects.filter(
        user=user, article=article if article is not None and article.pk else None
    ).first()


def autosave_offer(user, article, token_moment):
    """The autosave worth offering back: newer than the last save, if any."""
    found = autosave_for(user, article)
    if found is None:
        return None
    if token_moment is not None and found.saved_at <= token_moment:
        return None
    return found


class DeskEndpointsMixin:
    """Autosave, presence and restore for the explainer admin."""

    def _desk_object(self, request):
        article_id = request.GET.get("article")
        if not article_id:
            if not self.has_add_permission(request):
                raise PermissionDenied
            return None
        article = self.get_object(request, article_id)
        if article is None or not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    def autosave_view(self, request):
        """Keep the posted form for this editor and explainer; answer when."""
        article = self._desk_object(request)
        data = {
            key: values for key, values in request.POST.lists() if key not in NOT_KEPT
        }
        saved, _created = Autosave.objects.update_or_create(
            user=request.user, article=article, defaults={"data": data}
        )
        return JsonResponse({"saved_at": saved.saved_at.isoformat()})

    def presence_view(self, request):
        """Note that this editor still has the explainer open; say who else does."""
        article = self._desk_object(request)
        if article is None:
            return JsonResponse({"others": []})
        mark_present(article.pk, request.user)
        return JsonResponse({"others": presence_lines(article.pk, request.user)})

    def restore_request(self, request, article):
        """Turn a GET with ?restore=autosave into the autosaved form, posted.

        The caller renders it without the CSRF check, which is sound because
        nothing is saved: ArticleAdminForm refuses a restore, so the form shows
        exactly what was typed until the editor presses a button. Returns None
        when there is nothing to restore.
        """
        found = autosave_for(request.user, article)
        if found is None:
            return None
        posted = QueryDict(mutable=True)
        for key, values in found.data.items():
            posted.setlist(key, values)
        posted["_action"] = "restore"
        request.FILES  # noqa: B018 (loaded now, while the request is still a GET)
        request.method = "POST"
        request.POST = posted
        return found

    def autosave_discard(self, request, article):
        Autosave.objects.filter(
            user=request.user, article=article if article is not None else None
        ).delete()
