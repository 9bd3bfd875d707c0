from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Flag


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text. Addresses become links. Be kind and stay on topic."),
        error_messages={"required": _("Write something before posting.")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        body = self.fields["body"]
        body.max_length = settings.COMMENTS_MAX_LENGTH
        body.widget.attrs.update(
            {
                "maxlength": settings.COMMENTS_MAX_LENGTH,
                "minlength": settings.COMMENTS_MIN_LENGTH,
            }
        )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        low, high = settings.COMMENTS_MIN_LENGTH, settings.COMMENTS_MAX_LENGTH
        if len(body) < low:
            raise forms.ValidationError(
                _("Write at least %(n)s characters."),
                code="too_short",
                params={"n": low},
            )
        if len(body) > high:
            raise forms.ValidationError(
                _("Keep comments to %(n)s characters or fewer."),
                code="too_long",
                params={"n": high},
            )
        return body


class CommentEditForm(CommentForm):
    parent = None


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this comment?"),
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
        initial=Flag.Reason.OTHER,
    )
