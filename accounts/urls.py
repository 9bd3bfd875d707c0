from django.urls import path

from . import views

# Included under accounts/ ahead of allauth's URLs, with no namespace, so the names
# sit beside allauth's own (account_login, account_logout...).
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="account_login"),
    path("profile/", views.profile, name="account_profile"),
    # allauth's sign-up with races for a name answered by the form (views.py).
    path("signup/", views.ReaderSignupView.as_view(), name="account_signup"),
]
