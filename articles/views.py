# Placeholder views so every model can reverse its URL; the reader-site issue (#3)
# replaces them with the real pages.
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .models import Article, Author, Topic


def home(request):
    return HttpResponse("Newsroom")


def article_detail(request, slug):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    return HttpResponse(article.body_html)


def topic_detail(request, slug):
    return HttpResponse(get_object_or_404(Topic, slug=slug).name)


def author_detail(request, slug):
    return HttpResponse(get_object_or_404(Author, slug=slug).name)


def article_preview(request, pk):
    return HttpResponse(get_object_or_404(Article, pk=pk).body_html)
