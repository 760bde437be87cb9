"""URLs of this app's API."""
urlpatterns = []
