# Filled by the comments issue (#5).
app_name = "comments"
urlpatterns = []
