"""The therapists' pages, under the ``practice`` namespace."""

from django.urls import path

from practice import views

app_name = "practice"
urlpatterns = [
    path("", views.attention, name="attention"),
    path("patients/", views.patient_list, name="patients"),
    path("patients/<int:pk>/", views.patient_detail, name="patient"),
    path("patients/<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("patients/<int:pk>/sessions/preview/", views.session_preview, name="session_preview"),
    path("patients/<int:pk>/sessions/<int:sid>/", views.session_edit, name="session_edit"),
    path(
        "patients/<int:pk>/episodes/<int:episode>/sessions/<int:year>/",
        views.session_year,
        name="session_year",
    ),
    path("patients/<int:pk>/plan/", views.plan, name="plan"),
    path("patients/<int:pk>/elsewhere/", views.elsewhere, name="elsewhere"),
]
