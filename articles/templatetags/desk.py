"""The editor's desk on the admin home: what waits for an editor's review."""

from django import template

from articles import publishing, services

register = template.Library()


@register.inclusion_tag("admin/articles/_waiting_for_review.html", takes_context=True)
def waiting_for_review(context):
    user = context["request"].user
    if not services.can_publish(user):
        return {"shown": False}
    return {"shown": True, "articles": list(publishing.waiting_for_review()[:50])}
