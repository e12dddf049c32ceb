"""Top-level URL map: admin, API and the therapists' pages."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("practice.api.urls")),
    path("", include("practice.urls")),
]
