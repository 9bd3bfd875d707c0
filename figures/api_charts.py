"""/api/v1/charts/: a chart's numbers, labels and SVG; writable with a write key.

Anyone may read a chart that a published explainer shows; staff who may change
charts, write keys and read-drafts keys see every chart. Writes go through
`chart_services.chart_save`, so a chart shown in a published explainer changes only
for publishers, and the explainers showing it are redrawn.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from articles.api.http import CacheHeadersMixin, StrictQueryMixin, sees_unpublished
from articles.api.pagination import Pagination
from articles.api.serializers import StrictCharField, StrictInputMixin
from integrations.models import IntegrationKey

from . import api_examples, charts
from .chart_services import chart_delete, chart_save, public_chart_ids
from .models import Chart

api_examples.register()


class ChartSerializer(serializers.ModelSerializer):
    data = serializers.SerializerMethodField()
    description = serializers.CharField(source="summary", read_only=True)
    reference = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Chart
        fields = [
            "id",
            "url",
            "title",
            "kind",
            "x_label",
            "y_label",
            "units",
            "source_note",
            "description",
            "data",
            "reference",
            "svg",
            "updated_at",
        ]
        read_only_fields = fields

    def get_data(self, chart) -> dict:
        """{"columns": [label header, series…], "rows": [[label, number|null…]]}."""
        return chart.parsed.as_api()

    def get_url(self, chart) -> str:
        request = self.context.get("request")
        path = reverse("api:chart-detail", kwargs={"pk": chart.pk})
        return request.build_absolute_uri(path) if request else path


class ChartInputSerializer(StrictInputMixin, serializers.Serializer):
    """What a client sends: the CSV as text, or `columns` and `rows` as JSON."""

    title = StrictCharField(max_length=200)
    kind = serializers.ChoiceField(choices=Chart.Kind.choices, required=False)
    csv = StrictCharField(
        required=False, trim_whitespace=False, max_length=charts.MAX_DATA_LENGTH
    )
    columns = serializers.ListField(
        child=StrictCharField(max_length=charts.MAX_CELL_LENGTH),
        required=False,
        max_length=charts.MAX_SERIES + 1,
    )
    rows = serializers.ListField(
        child=serializers.ListField(), required=False, max_length=charts.MAX_ROWS
    )
    x_label = StrictCharField(max_length=100, required=False, allow_blank=True)
    y_label = StrictCharField(max_length=100, required=False, allow_blank=True)
    units = StrictCharField(max_length=40, required=False, allow_blank=True)
    source_note = StrictCharField(max_length=300, required=False, allow_blank=True)
    description = StrictCharField(max_length=1000, required=False, allow_blank=True)

    def validate(self, attrs):
        has_table = "columns" in attrs or "rows" in attrs
        if "csv" in attrs and has_table:
            raise serializers.ValidationError(
                {
                    "csv": [
                        "Send the data as `csv` or as `columns` and `rows`, not both."
                    ]
                }
            )
        if has_table:
            if "columns" not in attrs or "rows" not in attrs:
                raise serializers.ValidationError(
                    {"rows": ["`columns` and `rows` go together."]}
                )
            attrs["csv"] = _table_as_csv(attrs.pop("columns"), attrs.pop("rows"))
        if "csv" in attrs:
            try:
                charts.parse_data(attrs["csv"])
            except DjangoValidationError as error:
                raise serializers.ValidationError({"csv": error.messages}) from None
            attrs["data"] = attrs.pop("csv")
        elif not self.partial:
            raise serializers.ValidationError(
                {"csv": ["Send the data: `csv`, or `columns` and `rows`."]}
            )
        return attrs


def _table_as_csv(columns, rows) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for index, row in enumerate(rows, start=1):
        cells = []
        for cell in row:
            if cell is None:
                cells.append("")
            elif isinstance(cell, bool) or not isinstance(cell, (int, float, str)):
                raise serializers.ValidationError(
                    {f"rows.{index - 1}": ["Cells are a label, numbers or null."]}
                )
            else:
                cells.append(str(cell))
        writer.writerow(cells)
    return out.getvalue()


@extend_schema_view(
    list=extend_schema(summary="List charts"),
    retrieve=extend_schema(summary="One chart: its numbers and its SVG"),
    create=extend_schema(
        summary="Create a chart",
        request=ChartInputSerializer,
        responses={201: ChartSerializer},
    ),
    partial_update=extend_schema(
        summary="Change some of a chart's fields",
        request=ChartInputSerializer,
        responses={200: ChartSerializer},
    ),
    destroy=extend_schema(summary="Delete a chart no explainer shows"),
)
class ChartViewSet(
    StrictQueryMixin,
    CacheHeadersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Charts. Reads are public for charts in published explainers."""

    queryset = Chart.objects.all()
    serializer_class = ChartSerializer
    parser_classes = [JSONParser]
    pagination_class = Pagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        charts_ = Chart.objects.order_by("-updated_at", "-id")
        if self._sees_all():
            return charts_
        if not hasattr(self, "_public_ids"):  # asked more than once per request
            self._public_ids = public_chart_ids()
        return charts_.filter(pk__in=self._public_ids)

    def _sees_all(self):
        request = self.request
        if request.user.has_perm("figures.change_chart"):
            return True
        key = request.auth
        if isinstance(key, IntegrationKey) and key.scope == key.Scope.WRITE:
            return True
        return sees_unpublished(request)

    def create(self, request):
        chart = self._save(request, Chart(), partial=False)
        output = ChartSerializer(chart, context=self.get_serializer_context()).data
        return Response(
            output, status=status.HTTP_201_CREATED, headers={"Location": output["url"]}
        )

    def partial_update(self, request, pk=None):
        chart = self._save(request, self.get_object(), partial=True)
        return Response(
            ChartSerializer(chart, context=self.get_serializer_context()).data
        )

    def perform_destroy(self, instance):
        chart_delete(user=self.request.user, chart=instance)

    def _save(self, request, chart, *, partial):
        serializer = ChartInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(chart, name, value)
        return chart_save(user=request.user, chart=chart)
