from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Flag
from .services import comment_body_check


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text. Addresses become links. Be kind and stay on topic."),
        error_messages={"required": _("Write something before posting.")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The anchor of the annotation the comment is about (its page's form sets it).
    annotation = forms.SlugField(
        required=False,
        max_length=80,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("That is not a Key Fact, answer or FAQ entry of this page.")
        },
    )

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
        try:
            return comment_body_check(self.cleaned_data["body"])
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["body"]) from None


class CommentEditForm(CommentForm):
    parent = None
    annotation = None


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this comment?"),
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
        initial=Flag.Reason.OTHER,
    )
