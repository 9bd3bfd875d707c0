"""The signed-in reader's own pages (allauth serves sign-in, sign-up and the rest)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
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
