# Filled by the content-API issue (#4): /api/v1/, /api/schema/, /api/docs/, /api/oembed/.
urlpatterns = []
