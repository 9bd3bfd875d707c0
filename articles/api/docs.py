"""`/api/docs/`: the API described for people, from the same schema clients read."""

import functools

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
                }
            )
    return schema["info"], operations


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
