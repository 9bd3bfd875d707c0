"""Charts in the admin: paste data, pick a kind, save, see the chart and its snippet."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin

from .chart_services import articles_showing, chart_save, check_chart_change
from .models import Chart


@admin.register(Chart)
class ChartAdmin(VersionAdmin):
    list_display = ["title", "kind", "snippet", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["title", "source_note", "data"]
    readonly_fields = ["preview", "snippet", "used_in"]
    fieldsets = [
        (None, {"fields": ["title", "kind", "data"]}),
        (_("Labels"), {"fields": ["x_label", "y_label", "units", "source_note"]}),
        (_("Accessibility"), {"fields": ["description"]}),
        (_("The chart as saved"), {"fields": ["snippet", "preview", "used_in"]}),
    ]

    @admin.display(description=_("snippet for the body"))
    def snippet(self, obj):
        if obj is None or obj.pk is None:
            return _("Save the chart to get the line to paste into a body.")
        return format_html("<code>{}</code>", obj.reference)

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if obj is None or obj.pk is None or not obj.svg:
            return _("The chart appears here once saved.")
        # Generated on save from escaped text (figures/charts.py), not editor HTML.
        return mark_safe(obj.figure_html())

    @admin.display(description=_("shown in"))
    def used_in(self, obj):
        if obj is None or obj.pk is None:
            return "\u2013"
        articles = articles_showing(obj.pk)
        if not articles:
            return _("No explainer yet.")
        return ", ".join(
            f"{article.title} ({article.get_status_display()})" for article in articles
        )

    def save_model(self, request, obj, form, change):
        try:
            chart_save(user=request.user, chart=obj)
        except ValidationError as error:  # the form validated these already
            messages.error(request, "; ".join(error.messages))
            raise

    def has_change_permission(self, request, obj=None):
        # A chart a published explainer shows is read-only to those who may not
        # publish: changing it changes what readers see.
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None:
            try:
                check_chart_change(user=request.user, chart=obj)
            except PermissionDenied:
                return False
        return allowed

    def has_delete_permission(self, request, obj=None):
        # A chart still shown in an explainer cannot go: the body would lose it.
        if obj is not None and articles_showing(obj.pk):
            return False
        return super().has_delete_permission(request, obj)
