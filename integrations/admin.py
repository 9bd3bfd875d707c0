"""Webhook endpoints (editors only) and the log of every delivery, with Redeliver;
integration keys (editors only), shown once on creation and revocable."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import keys, webhooks
from .forms import WebhookEndpointForm
from .models import IntegrationKey, WebhookDelivery, WebhookEndpoint


def _moment(at) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M %Z}"


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "url", "event_list", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    readonly_fields = (
        "secret",
        "previous_secret_state",
        "disabled_reason",
        "created_at",
    )
    actions = ("rotate_secret", "end_secret_grace")
    fieldsets = (
        (None, {"fields": ("name", "url", "events", "is_active")}),
        (
            _("Signing and state"),
            {
                "fields": (
                    "secret",
                    "previous_secret_state",
                    "disabled_reason",
                    "created_at",
                )
            },
        ),
    )

    @admin.display(description=_("events"))
    def event_list(self, endpoint):
        return ", ".join(endpoint.events)

    @admin.display(description=_("previous signing secret"))
    def previous_secret_state(self, endpoint):
        if not endpoint.previous_secret_accepted():
            return _("None: deliveries are signed with the current secret only.")
        return _(
            "Still accepted until %(until)s: deliveries are signed with both secrets "
            "until then."
        ) % {"until": _moment(endpoint.previous_secret_until)}

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # the secret is made on save and shown once, in a message
            return self.fieldsets[:1]
        return self.fieldsets

    def save_model(self, request, obj, form, change):
        if change and "is_active" in form.changed_data and obj.is_active:
            obj.disabled_reason = ""  # switched back on after a fix
        super().save_model(request, obj, form, change)
        if not change:
            messages.info(
                request,
                _(
                    "Signing secret for %(name)s: %(secret)s — give it to the "
                    "receiver now; it verifies every delivery with it."
                )
                % {"name": obj.name, "secret": obj.secret},
            )

    def changelist_view(self, request, extra_context=None):
        for endpoint in WebhookEndpoint.objects.exclude(disabled_reason="").filter(
            is_active=False
        ):
            messages.warning(
                request,
                _("Webhook endpoint %(name)s is disabled. %(reason)s")
                % {"name": endpoint.name, "reason": endpoint.disabled_reason},
            )
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Rotate the signing secret"), permissions=["change"])
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            secret = webhooks.secret_rotate(endpoint)
            messages.info(
                request,
                _("New signing secret for %(name)s: %(secret)s")
                % {"name": endpoint.name, "secret": secret},
            )
            if endpoint.previous_secret_accepted():
                messages.info(
                    request,
                    _(
                        "The previous secret of %(name)s is still accepted until "
                        "%(until)s; end the grace period now if it leaked."
                    )
                    % {
                        "name": endpoint.name,
                        "until": _moment(endpoint.previous_secret_until),
                    },
                )

    @admin.action(description=_("End the grace period now"), permissions=["change"])
    def end_secret_grace(self, request, queryset):
        for endpoint in queryset:
            if webhooks.secret_grace_end(endpoint):
                messages.success(
                    request,
                    _(
                        "The previous signing secret of %(name)s is no longer "
                        "accepted: deliveries are signed with the current one only."
                    )
                    % {"name": endpoint.name},
                )
            else:
                messages.info(
                    request,
                    _("%(name)s had no previous signing secret in its grace period.")
                    % {"name": endpoint.name},
                )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "event_id",
        "endpoint",
        "kind",
        "status",
        "attempts",
        "last_status_code",
        "last_duration_ms",
        "excerpt",
        "created_at",
        "delivered_at",
    )
    list_filter = ("status", "kind", "endpoint")
    search_fields = ("event_id",)
    list_select_related = ("endpoint",)
    actions = ("redeliver",)
    readonly_fields = (
        "endpoint",
        "event_id",
        "kind",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_duration_ms",
        "last_response_excerpt",
        "created_at",
        "delivered_at",
    )

    @admin.display(description=_("response excerpt"))
    def excerpt(self, delivery):
        return Truncator(delivery.last_response_excerpt).chars(80)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Redeliver (same webhook-id)"), permissions=["change"])
    def redeliver(self, request, queryset):
        sent = 0
        with transaction.atomic():
            for delivery in queryset.select_related("endpoint"):
                if not delivery.endpoint.is_active:
                    messages.error(
                        request,
                        _("%(endpoint)s is disabled; switch it on first.")
                        % {"endpoint": delivery.endpoint.name},
                    )
                    continue
                webhooks.delivery_redeliver(delivery)
                sent += 1
        if sent:
            messages.success(
                request,
                ngettext(
                    "%d delivery queued again.", "%d deliveries queued again.", sent
                )
                % sent,
            )


@admin.register(IntegrationKey)
class IntegrationKeyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "scope",
        "shown_prefix",
        "acting_user",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("scope", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix")
    list_select_related = ("acting_user", "created_by")
    actions = ("revoke",)
    fields = (
        "name",
        "scope",
        "acting_user",
        "shown_prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    )

    @admin.display(description=_("key"), ordering="prefix")
    def shown_prefix(self, key):
        return f"nrk_{key.prefix}_…"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "scope", "acting_user")
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Rights are fixed once the key is out: make a new key to change them.
        return self.fields[1:]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "acting_user":
            kwargs["queryset"] = get_user_model().objects.filter(
                is_staff=True, is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.full_key = keys.key_issue(obj)
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        """Show the full key on a page of its own, once; it is not stored."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Integration key created"),
            "key": obj,
            "full_key": obj.full_key,
        }
        response = TemplateResponse(
            request, "admin/integrations/integrationkey/created.html", context
        )
        add_never_cache_headers(response)
        return response

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = keys.keys_revoke(keys=queryset)
        messages.success(
            request,
            ngettext(
                "Revoked %(count)d key; it is refused from now on.",
                "Revoked %(count)d keys; they are refused from now on.",
                revoked,
            )
            % {"count": revoked},
        )
