"""`/api/v1/`: what the API offers, with the address of each resource."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .http import StrictQueryMixin

RESOURCES = (
    ("articles", "api:article-list", "Published explainers; staff also write here."),
    ("changes", "api:changes", "Every public change, in commit order, to keep a copy."),
    ("topics", "api:topic-list", "Topics, with their published explainer counts."),
    ("authors", "api:author-list", "Bylines, with their published explainer counts."),
    ("key-facts", "api:key-fact-list", "Key Facts of published explainers."),
    (
        "quick-answers",
        "api:quick-answer-list",
        "Quick Answers of published explainers.",
    ),
    ("faqs", "api:faq-list", "FAQ entries of published explainers."),
    ("oembed", "api:oembed", "oEmbed for an explainer page (?url=…)."),
    ("schema", "api:schema", "The OpenAPI 3 description of all of it."),
    ("docs", "api:docs", "The same, as a page for people."),
)


class ApiIndexView(StrictQueryMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="What this API offers",
        responses={
            200: inline_serializer(
                "ApiIndex",
                {
                    "version": serializers.CharField(),
                    "resources": serializers.DictField(
                        child=inline_serializer(
                            "ApiResource",
                            {
                                "url": serializers.URLField(),
                                "about": serializers.CharField(),
                            },
                        )
                    ),
                },
            )
        },
    )
    def get(self, request):
        return Response(
            {
                "version": "v1",
                "resources": {
                    name: {
                        "url": request.build_absolute_uri(reverse(route)),
                        "about": about,
                    }
                    for name, route, about in RESOURCES
                },
            }
        )


api_index = ApiIndexView.as_view()
