"""The therapists' pages (being built: see the UI issue)."""

app_name = "practice"
urlpatterns: list = []
