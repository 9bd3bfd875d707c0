"""`/api/docs/`: the API described for people, from the same schema clients read."""

import functools
import json

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator
from rest_framework.permissions import SAFE_METHODS


@functools.cache
def _documented_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "auth": method.upper() not in SAFE_METHODS,
                    "responses": sorted(operation.get("responses", {})),
                    "request_example": _example(
                        operation.get("requestBody", {}).get("content", {})
                    ),
                    "response_examples": [
                        (status, example)
                        for status, answer in sorted(
                            operation.get("responses", {}).items()
                        )
                        if (example := _example(answer.get("content", {})))
                    ],
                }
            )
    return schema["info"], operations


def _example(content):
    """The JSON example of a body (articles/api/examples.py), indented, or ""."""
    media = content.get("application/json", {})
    examples = media.get("examples") or {}
    for example in examples.values():
        return json.dumps(example.get("value"), indent=2, ensure_ascii=False)
    if "example" in media:
        return json.dumps(media["example"], indent=2, ensure_ascii=False)
    return ""


@require_safe
def api_docs(request):
    """A page for people: every endpoint, its parameters and answers, from the schema."""
    info, operations = _documented_operations()
    return render(
        request,
        "api/docs.html",
        {
            "info": info,
            "operations": operations,
            "schema_url": reverse("api:schema"),
            "example_url": request.build_absolute_uri(reverse("api:article-list")),
        },
    )
