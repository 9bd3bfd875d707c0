"""List pages: by number for browsing, by cursor for keeping a copy in sync.

Sorted by `updated_at` (or `-updated_at`), a list is walked with a cursor: the
position after the last item sent, (updated_at, id). Unlike page numbers, it does
not shift when something is published or changed meanwhile, so nothing is skipped
or sent twice; an item changed during the walk comes again further on, with its
new content, because its `updated_at` moved.
"""

import base64
import binascii
import datetime
import json

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# The sort orders walked by cursor, and whether they run newest first.
CURSOR_ORDERINGS = {"updated_at": False, "-updated_at": True}


def cursor_encode(updated_at: datetime.datetime, pk: int) -> str:
    raw = json.dumps([updated_at.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(value: str) -> tuple[datetime.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        stamp, pk = json.loads(raw)
        at = parse_datetime(stamp)
        if at is None or at.tzinfo is None or type(pk) is not int:
            raise ValueError
        return at, pk
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise exceptions.ValidationError(
            {"cursor": ["Not a cursor this API gave: follow the `next` link."]}
        ) from None


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.descending = CURSOR_ORDERINGS.get(request.query_params.get("ordering"))
        cursor = request.query_params.get(self.cursor_query_param)
        if self.descending is None:
            self.by_cursor = False
            if cursor is not None:
                raise exceptions.ValidationError(
                    {
                        "cursor": [
                            "A cursor goes with ordering=updated_at or -updated_at."
                        ]
                    }
                )
            return super().paginate_queryset(queryset, request, view)
        if self.page_query_param in request.query_params:
            raise exceptions.ValidationError(
                {
                    "page": [
                        "Sorted by updated_at, a list is walked by cursor: follow "
                        "the `next` link instead of page numbers."
                    ]
                }
            )
        self.by_cursor = True
        self.request = request
        size = self.get_page_size(request)
        self.count = queryset.count()
        order = ("-updated_at", "-pk") if self.descending else ("updated_at", "pk")
        queryset = queryset.order_by(*order)
        if cursor is not None:
            at, pk = cursor_decode(cursor)
            if self.descending:
                after = Q(updated_at__lt=at) | Q(updated_at=at, pk__lt=pk)
            else:
                after = Q(updated_at__gt=at) | Q(updated_at=at, pk__gt=pk)
            queryset = queryset.filter(after)
        rows = list(queryset[: size + 1])
        self.has_next = len(rows) > size
        self.page_rows = rows[:size]
        return self.page_rows

    def get_paginated_response(self, data):
        if not self.by_cursor:
            return super().get_paginated_response(data)
        return Response(
            {
                "count": self.count,
                "next": self._next_cursor_link(),
                "previous": None,
                "results": data,
            }
        )

    def _next_cursor_link(self):
        if not self.has_next:
            return None
        last = self.page_rows[-1]
        url = remove_query_param(
            self.request.build_absolute_uri(), self.page_query_param
        )
        return replace_query_param(
            url, self.cursor_query_param, cursor_encode(last.updated_at, last.pk)
        )

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["previous"]["description"] = (
            "The page before; always null when walking by cursor."
        )
        schema["properties"]["next"]["description"] = (
            "The next page, or null at the end. Sorted by updated_at, it carries a "
            "cursor; keep following it."
        )
        return schema

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "With ordering=updated_at or -updated_at: where to continue, "
                    "as given in `next`. Nothing is skipped or repeated while "
                    "content changes."
                ),
                "schema": {"type": "string"},
            },
        ]
