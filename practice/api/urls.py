"""REST API under /api/v1/ (being built: see the API issue)."""

urlpatterns: list = []
