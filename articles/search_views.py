"""The reader search page; the matching itself lives in articles/search.py."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .models import Article, Topic
from .search import MAX_QUERY_LENGTH, clean_query

RESULTS_PER_PAGE = 10
SUGGESTED_TOPICS = 8


@require_safe
def search(request):
    query = clean_query(request.GET.get("q", ""))
    context = {"query": query, "max_query_length": MAX_QUERY_LENGTH}
    if query:
        results = Article.objects.published().search(query)
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        context["page"] = page
        if not page.paginator.count:
            context["topics"] = (
                Topic.objects.filter(articles__in=Article.objects.published())
                .distinct()
                .order_by("name")[:SUGGESTED_TOPICS]
            )
    return render(request, "articles/search.html", context)
