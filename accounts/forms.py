"""Reader forms: allauth's sign-up (plus a public display name), sign-in, profile."""

import re

from allauth.account.forms import LoginForm, SignupForm
from django import forms
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

DISPLAY_NAME_PATTERN = re.compile(r"^[\w .\-]+$")


def clean_display_name(value, *, exclude_pk=None):
    """Return the tidied name or raise ValidationError with a reader-facing message."""
    name = " ".join((value or "").split())
    if len(name) < 3:
        raise forms.ValidationError(
            _("Use at least 3 characters for your display name."), code="too_short"
        )
    if len(name) > 50:
        raise forms.ValidationError(
            _("Use at most 50 characters for your display name."), code="too_long"
        )
    if not DISPLAY_NAME_PATTERN.match(name):
        raise forms.ValidationError(
            _(
                "Use only letters, digits, spaces, full stops, hyphens and "
                "underscores in your display name."
            ),
            code="invalid",
        )
    taken = get_user_model().objects.filter(display_name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise forms.ValidationError(
            _("That display name is taken. Please choose another."), code="taken"
        )
    return name


class ReaderSignupForm(SignupForm):
    display_name = forms.CharField(
        label=_("Display name"),
        help_text=_(
            "Shown beside your comments. 3 to 50 letters, digits, spaces, "
            "full stops, hyphens or underscores. Your email address is never shown."
        ),
        # The browser stops at 50; the length message itself is clean_display_name's.
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "maxlength": "50"}),
    )

    field_order = ["display_name", "email", "username", "password1", "password2"]

    def clean_display_name(self):
        return clean_display_name(self.cleaned_data.get("display_name"))

    def custom_signup(self, request, user):
        super().custom_signup(request, user)
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])

    def explain_conflict(self):
        """After the database refused the new account: say which detail was taken.

        Someone claimed the display name or username between this form's checks and
        the insert (the unique constraints settle such races).
        """
        try:
            clean_display_name(self.cleaned_data.get("display_name"))
        except forms.ValidationError as exc:
            self.add_error("display_name", exc)
            return
        username = self.cleaned_data.get("username") or ""
        if get_user_model().objects.filter(username__iexact=username).exists():
            self.add_error("username", _("A user with that username already exists."))
            return
        self.add_error(
            None, _("Someone signed up with these details a moment ago. Try again.")
        )


class ReaderLoginForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or email")
        self.fields["remember"].label = _("Keep me signed in on this device")


class ProfileForm(forms.Form):
    """A signed-in reader's own settings: for now, the public display name."""

    display_name = forms.CharField(
        label=_("Display name"),
        help_text=_(
            "Shown beside all your comments, old and new. 3 to 50 letters, digits, "
            "spaces, full stops, hyphens or underscores."
        ),
        # The browser stops at 50; the length message itself is clean_display_name's.
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "maxlength": "50"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        kwargs.setdefault("initial", {"display_name": user.display_name or ""})
        super().__init__(*args, **kwargs)

    def clean_display_name(self):
        return clean_display_name(
            self.cleaned_data.get("display_name"), exclude_pk=self.user.pk
        )

    def save(self):
        """Store the new name; False, with the field's error, if it was just taken.

        The case-insensitive unique constraint settles a race with someone who
        claims the same name between clean_display_name's check and this save.
        """
        user = self.user
        name = self.cleaned_data["display_name"]
        previous, user.display_name = user.display_name, name
        try:
            with transaction.atomic():
                user.save(update_fields=["display_name"])
        except IntegrityError:
            user.display_name = previous
            try:
                clean_display_name(name, exclude_pk=user.pk)
            except forms.ValidationError as exc:
                self.add_error("display_name", exc)
                return False
            raise
        return True
