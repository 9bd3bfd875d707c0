"""Comment pages: the form posts, and the edit, delete and flag pages.

Every post is signed-in only, takes the explainer from the URL and the author from
the request, and goes through comments.services. The thread under each explainer
is built by comments.selectors.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_POST

from articles.models import Article

from . import selectors, services
from .forms import CommentEditForm, CommentForm, FlagForm
from .models import Comment


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _error_list(error):
    if hasattr(error, "message_dict"):
        return [m for msgs in error.message_dict.values() for m in msgs]
    return list(error.messages)


def _pending_note(comment):
    if comment.held_reason == Comment.HeldReason.UNVERIFIED:
        return (
            "Your comment is saved and will appear once you verify your email "
            "address: follow the link in the message we sent you."
        )
    return "Your comment is saved and will appear once a moderator has reviewed it."


@login_required
@require_POST
def comment_post(request, slug):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        parent = None
        parent_id = form.cleaned_data.get("parent")
        if parent_id:
            parent = Comment.objects.filter(pk=parent_id, article=article).first()
            if parent is None:
                form.add_error(None, "The comment you replied to no longer exists.")
        if form.is_valid():
            try:
                comment = services.comment_post(
                    article=article,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    parent=parent,
                    annotation=form.cleaned_data.get("annotation") or "",
                    ip=request.META.get("REMOTE_ADDR"),
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                if isinstance(exc, services.CommentRateLimited):
                    status = 429
                for message in _error_list(exc):
                    form.add_error(None, message)
            else:
                return _posted(request, comment)
    if _wants_json(request):
        return JsonResponse({"errors": form.errors.get_json_data()}, status=status)
    return render(
        request,
        "comments/form_page.html",
        {"article": article, "form": form, "action": request.path},
        status=status,
    )


def _posted(request, comment):
    pending = comment.status == Comment.Status.PENDING
    if pending:
        messages.info(request, _pending_note(comment))
    if _wants_json(request):
        selectors.cards_prepare([comment], request.user)
        # A comment on an annotation is posted from the annotation's page, whose
        # cards need no quote of it.
        region = {"annotation": comment.annotation_anchor}
        html = render_to_string(
            "comments/thread.html",
            {"threads": [[comment]], "user": request.user, "region": region},
            request=request,
        )
        return JsonResponse(
            {
                "id": comment.pk,
                "status": comment.status,
                "parent": comment.parent_id,
                "anchor": comment.anchor,
                "html": html,
                "note": _pending_note(comment) if pending else "",
            },
            status=201,
        )
    return redirect(comment.get_absolute_url())


def _own_comment(request, pk):
    comment = get_object_or_404(
        Comment.objects.select_related("article", "author"), pk=pk
    )
    if comment.author_id != request.user.pk:
        raise PermissionDenied("Only the author can change this comment.")
    return comment


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, pk):
    comment = _own_comment(request, pk)
    if not comment.can_edit(request.user):
        messages.error(request, "This comment can no longer be edited.")
        return redirect(comment.get_absolute_url())
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(
                comment=comment, user=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            for message in _error_list(exc):
                form.add_error(None, message)
        else:
            return redirect(comment.get_absolute_url())
    return render(
        request,
        "comments/edit.html",
        {"comment": comment, "article": comment.article, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request, pk):
    comment = _own_comment(request, pk)
    if request.method == "POST":
        services.comment_delete(comment=comment, user=request.user)
        return redirect(f"{comment.article.get_absolute_url()}#comments")
    return render(
        request,
        "comments/delete.html",
        {"comment": comment, "article": comment.article},
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_flag(request, pk):
    comment = get_object_or_404(
        Comment.objects.select_related("article", "author").filter(
            status=Comment.Status.PUBLISHED, article__in=Article.objects.published()
        ),
        pk=pk,
    )
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_flag(
                comment=comment, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in _error_list(exc):
                form.add_error(None, message)
        else:
            messages.success(request, "Thank you: a moderator will take a look.")
            return redirect(f"{comment.article.get_absolute_url()}#comments")
    return render(
        request,
        "comments/flag.html",
        {"comment": comment, "article": comment.article, "form": form},
        status=400 if form.errors else 200,
    )


def comment_permalink(request, pk):
    comment = get_object_or_404(
        Comment.objects.visible()
        .filter(article__in=Article.objects.published())
        .select_related("article"),
        pk=pk,
    )
    return redirect(comment.get_absolute_url())
