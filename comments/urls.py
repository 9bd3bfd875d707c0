from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("explainers/<slug:slug>/comments/", views.comment_post, name="post"),
    path("comments/<int:pk>/", views.comment_permalink, name="permalink"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="delete"),
    path("comments/<int:pk>/flag/", views.comment_flag, name="flag"),
]
