"""REST API under /api/v1/: the practice's records, quotas, warnings and simulate.

Paths have no trailing slash (``POST /api/v1/simulate``, as the simulate contract writes it);
the schema and the Swagger UI keep theirs. Any other path answers a JSON 404.
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from practice.api import agreements, views
from reimburse.api import SimulateView

router = SimpleRouter(trailing_slash=False)
router.register("patients", views.PatientViewSet, basename="patient")
router.register("coverage", views.CoverageViewSet, basename="coverage")
router.register("episodes", views.EpisodeViewSet, basename="episode")
router.register("prescriptions", views.PrescriptionViewSet, basename="prescription")
router.register("sessions", views.SessionViewSet, basename="session")
router.register("therapists", views.TherapistViewSet, basename="therapist")
router.register("insurer-packages", views.InsurerPackageViewSet, basename="insurer-package")
router.register(
    "agreement-requests", agreements.AgreementRequestViewSet, basename="agreement-request"
)
router.register("prior-use", agreements.PriorUseViewSet, basename="prior-use")

app_name = "api"
urlpatterns = [
    *router.urls,
    path("practice", views.PracticeView.as_view(), name="practice"),
    path("warnings", views.WarningFeedView.as_view(), name="warnings"),
    path("simulate", SimulateView.as_view(), name="simulate"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-found"),
]
