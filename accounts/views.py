"""The reader's own pages: the profile, and sign-up answering races by the form.

allauth serves sign-in and the rest.
"""

from allauth.account.views import SignupView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
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
