"""The reader's own pages: the profile, sign-up answering races by the form, and
a sign-in that greets staff on their way into the admin.

allauth serves the rest.
"""

from urllib.parse import urlsplit

from allauth.account.views import LoginView, SignupView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from .forms import ProfileForm


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """Change the public display name; comment threads show it at once (signals)."""
    form = ProfileForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and form.save():
        messages.success(
            request, f"Your display name is now {request.user.display_name}."
        )
        return redirect("account_profile")
    return render(request, "account/profile.html", {"form": form})


class ReaderSignupView(SignupView):
    """allauth's sign-up, where losing a race for a name is a form error, not a 500.

    The whole sign-up runs in one transaction, so a refused insert leaves nothing
    behind: no user, no email address, no session.
    """

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except IntegrityError:
            self.user = None
            form.explain_conflict()
            return self.form_invalid(form)


class SignInView(LoginView):
    """allauth's sign-in, addressed to editors and writers when it leads to the admin.

    The admin sends its visitors here (newsroom/urls.py) so that staff sign-ins get
    the same failed-attempt limits; the page they see should still say it is the
    newsroom's door, not the one for commenters.
    """

    def get_template_names(self):
        next_url = self.get_next_url() or ""
        if urlsplit(next_url).path.startswith(reverse("admin:index")):
            return ["account/login_staff.html"]
        return super().get_template_names()
