"""Practice isolation: a user or token of practice A never reaches practice B's data.

The pages, admin views and API routes are enumerated from the URL configuration and the admin
registry, not listed by hand, so a new page or endpoint is tested the day it is added (and a
new URL parameter fails ``_fill`` until the test learns what to put in it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import models
from django.forms import BaseForm, ModelChoiceField
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from rest_framework.test import APIClient

import practice.api.urls as api_urls
import practice.urls as page_urls
from practice.models import (
    AgreementRequest,
    Coverage,
    Episode,
    Patient,
    Prescription,
    PriorUse,
    Therapist,
    TreatmentSession,
)
from practice.tokens import api_token_revoke
from reimburse.models import InsurerPackage
from tests.security.conftest import (
    A_MARKERS,
    B_MARKERS,
    Side,
    assert_no_markers,
    row_counts,
)

pytestmark = pytest.mark.django_db

DENIED = {403, 404}


def _patterns(patterns: Sequence[URLPattern | URLResolver]) -> Iterator[URLPattern]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns)
        else:
            yield entry


# simple-history's version page is a regex with unnamed groups, in this order.
POSITIONAL = ("object_id", "version_id")


def _params(pattern: URLPattern) -> list[str]:
    regex = pattern.pattern.regex
    return list(regex.groupindex) or list(POSITIONAL[: regex.groups])


def _fill(route: str, params: list[str], values: dict[str, int | str]) -> dict[str, Any]:
    unknown = set(params) - set(values)
    assert not unknown, f"{route}: teach this test what to put in {unknown}"
    return {name: values[name] for name in params}


def _reverse(name: str, pattern: URLPattern, values: dict[str, Any]) -> str:
    if pattern.pattern.regex.groupindex:
        return reverse(name, kwargs=values)
    return reverse(name, args=[values[key] for key in POSITIONAL if key in values])


# ------------------------------------------------------------------------------ pages

PAGE_PATTERNS = [p for p in _patterns(page_urls.urlpatterns) if p.name]
# The pages' only URL parameter is a patient id.
PAGE_PK_PATTERNS = [p for p in PAGE_PATTERNS if _params(p)]
PAGE_LIST_PATTERNS = [p for p in PAGE_PATTERNS if not _params(p)]


def _page_url(pattern: URLPattern, patient: Patient) -> str:
    session = TreatmentSession.objects.filter(episode__patient=patient).first()
    assert session is not None
    values: dict[str, int | str] = {  # its session, and that session's episode and year
        "pk": patient.pk,
        "sid": session.pk,
        "episode": session.episode_id,
        "year": session.date.year,
    }
    kwargs = _fill(str(pattern.name), _params(pattern), values)
    return reverse(f"practice:{pattern.name}", kwargs=kwargs)


def _session_body(side: Side) -> dict[str, Any]:
    return {
        "episode": side.episode.pk,
        "date": "2025-03-03",
        "first": "2025-03-03",
        "minutes": 30,
        "place": "practice",
        "price": "40",
        "per_week": 2,
        "weeks": 2,
        "action": "save",
    }


def test_the_pages_are_enumerated() -> None:
    assert len(PAGE_PK_PATTERNS) >= 4 and len(PAGE_LIST_PATTERNS) >= 2


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("pattern", PAGE_PK_PATTERNS, ids=lambda p: p.name)
def test_a_page_of_another_practices_patient_is_404_without_data(
    therapist_client: Client, b: Side, pattern: URLPattern, htmx: bool
) -> None:
    url = _page_url(pattern, b.patient)
    headers = {"HX-Request": "true"} if htmx else {}
    before = row_counts()

    got = therapist_client.get(url, _session_body(b), headers=headers)
    posted = therapist_client.post(url, _session_body(b), headers=headers)

    assert got.status_code in {*DENIED, 405}
    assert posted.status_code in {*DENIED, 405}
    assert 404 in {got.status_code, posted.status_code}  # every page answers one of them
    assert_no_markers(got.content)
    assert_no_markers(posted.content)
    assert row_counts() == before


@pytest.mark.parametrize("pattern", PAGE_PK_PATTERNS, ids=lambda p: p.name)
def test_a_page_of_the_own_patient_refuses_another_practices_episode(
    therapist_client: Client, a: Side, b: Side, pattern: URLPattern
) -> None:
    url = _page_url(pattern, a.patient)
    before = row_counts()

    for response in (
        therapist_client.get(url, _session_body(b)),
        therapist_client.post(url, _session_body(b)),
    ):
        assert response.status_code in {200, 405}
        assert_no_markers(response.content)
    assert row_counts() == before


@pytest.mark.parametrize(
    "query",
    [{}, {"q": "Bravo"}, {"q": "Quirina"}, {"q": "111222333"}, {"therapist": "{b_therapist}"}],
    ids=["plain", "last-name", "first-name", "national-id", "other-therapist"],
)
@pytest.mark.parametrize("pattern", PAGE_LIST_PATTERNS, ids=lambda p: p.name)
def test_a_list_page_never_shows_another_practices_patient(
    therapist_client: Client, a: Side, b: Side, pattern: URLPattern, query: dict[str, str]
) -> None:
    params = {k: v.format(b_therapist=b.therapist.pk) for k, v in query.items()}
    url = reverse(f"practice:{pattern.name}")

    for headers in ({}, {"HX-Request": "true"}):
        response = therapist_client.get(url, params, headers=headers)
        assert response.status_code == 200
        body = response.content.decode()
        for echoed in params.values():  # the search box shows what was typed
            body = body.replace(echoed, "")
        assert_no_markers(body)


def test_the_patient_list_shows_the_own_patient(therapist_client: Client, a: Side) -> None:
    response = therapist_client.get(reverse("practice:patients"), {"q": "Alpha"})

    assert a.patient.last_name in response.content.decode()


# ------------------------------------------------------------------------------ admin

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
ADMIN_IDS = [model._meta.label for model, _admin in ADMINS]


def _admin_urls(model_admin: admin.ModelAdmin[Any]) -> list[URLPattern]:
    return [p for p in _patterns(model_admin.urls) if p.name]


def _history_id(obj: models.Model) -> int | None:
    history = getattr(type(obj), "history", None)
    if history is None:
        return None
    latest = history.filter(**{obj._meta.pk.attname: obj.pk}).order_by("-history_id").first()
    return None if latest is None else int(latest.history_id)


def _object_urls(model_admin: admin.ModelAdmin[Any], obj: models.Model) -> list[str]:
    """Every admin URL of ``model_admin`` about ``obj``."""
    # auth's password page calls the user's id "id".
    values: dict[str, int | str] = {"object_id": str(obj.pk), "id": str(obj.pk)}
    version = _history_id(obj)
    if version is not None:
        values["version_id"] = version
    urls = []
    for pattern in _admin_urls(model_admin):
        params = _params(pattern)
        if not params or ("version_id" in params and version is None):
            continue
        filled = _fill(str(pattern.name), params, values)
        urls.append(_reverse(f"admin:{pattern.name}", pattern, filled))
    return urls


def _plain_urls(model_admin: admin.ModelAdmin[Any]) -> list[str]:
    """Every admin URL of ``model_admin`` that names no object (list, add, import, export)."""
    return [reverse(f"admin:{p.name}") for p in _admin_urls(model_admin) if not _params(p)]


def _snapshot(obj: models.Model) -> dict[str, Any]:
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in obj._meta.concrete_fields}


def test_the_admins_are_enumerated() -> None:
    scoped = [m for m, _a in ADMINS if m._meta.app_label == "practice"]
    assert len(scoped) == 10


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=ADMIN_IDS)
def test_an_admin_list_add_import_and_export_page_never_shows_another_practice(
    clinic_client: Client, b: Side, model: type[models.Model], model_admin: Any
) -> None:
    for url in _plain_urls(model_admin):
        response = clinic_client.get(url)
        assert response.status_code in {200, 302, 403, 405}, url
        assert_no_markers(response.content)


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=ADMIN_IDS)
def test_an_admin_view_of_another_practices_row_shows_nothing_and_changes_nothing(
    clinic_client: Client, b: Side, model: type[models.Model], model_admin: Any
) -> None:
    obj = b.objects().get(model)
    if obj is None:
        pytest.skip(f"{model._meta.label} rows belong to no practice")
    before, counts = _snapshot(obj), row_counts()

    for url in _object_urls(model_admin, obj):
        got = clinic_client.get(url)
        posted = clinic_client.post(url, {"post": "yes", "_save": "Save"})
        for response in (got, posted):
            # 302: the admin's "does not exist" redirect to its index.
            assert response.status_code in {302, 403, 404}, url
            assert_no_markers(response.content)

    assert _snapshot(obj) == before
    assert row_counts() == counts


def _forms_of(response: Any) -> Iterator[BaseForm]:
    context = response.context
    if context is None or "adminform" not in context:
        return
    yield context["adminform"].form
    for inline in context.get("inline_admin_formsets", []):
        yield inline.formset.empty_form
        yield from inline.formset.forms


PRACTICE_ADMINS = [(m, a) for m, a in ADMINS if m._meta.app_label == "practice"]


@pytest.mark.parametrize(
    ("model", "model_admin"), PRACTICE_ADMINS, ids=[m._meta.label for m, _a in PRACTICE_ADMINS]
)
def test_admin_forms_never_offer_another_practices_rows_as_choices(
    clinic_client: Client, a: Side, b: Side, model: type[models.Model], model_admin: Any
) -> None:
    pages = [reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")]
    own = a.objects().get(model)
    if own is not None:
        pages += [
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[own.pk])
        ]
    checked = 0
    for url in pages:
        response = clinic_client.get(url)
        assert response.status_code in {200, 403}, url
        assert_no_markers(response.content)
        for form in _forms_of(response):
            for name, field in form.fields.items():
                # A formset's hidden row id is not a choice: Django looks the row up in the
                # inline's own queryset (rows of the parent only).
                if isinstance(field, ModelChoiceField) and not field.widget.is_hidden:
                    queryset = field.queryset
                    assert queryset is not None
                    offered = {int(pk) for pk in queryset.values_list("pk", flat=True)}
                    foreign = b.ids_of(queryset.model)
                    assert not offered & foreign, f"{url}: {name} offers {offered & foreign}"
                    checked += 1
    if model in (Episode, TreatmentSession, Coverage, Prescription):
        assert checked, "the add or change page has foreign-key choices to check"


def _relations() -> list[tuple[str, str, str]]:
    """(app_label, model_name, field_name) of every relation of every admin-able model.

    The admin's autocomplete endpoint answers for any relation of any installed model whose
    target has a ModelAdmin with search fields, so the history models count too.
    """
    from django.apps import apps

    found = []
    for app in ("practice", "reimburse"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                remote = getattr(field, "remote_field", None)
                if field.concrete and remote is not None and remote.model in admin.site._registry:
                    found.append((app, str(model._meta.model_name), field.name))
    return found


RELATIONS = _relations()


def test_the_autocomplete_relations_are_enumerated() -> None:
    assert len(RELATIONS) >= 20


@pytest.mark.parametrize("term", ["", "Bravo", "Quirina"])
@pytest.mark.parametrize(("app", "model_name", "field"), RELATIONS, ids="/".join)
def test_admin_autocomplete_never_returns_another_practices_rows(
    clinic_client: Client, b: Side, app: str, model_name: str, field: str, term: str
) -> None:
    from django.apps import apps

    remote = apps.get_model(app, model_name)._meta.get_field(field).related_model
    assert remote is not None
    response = clinic_client.get(
        reverse("admin:autocomplete"),
        {"app_label": app, "model_name": model_name, "field_name": field, "term": term},
    )

    assert response.status_code in {200, 403, 404}
    assert_no_markers(response.content)
    if response.status_code == 200:
        returned = {int(row["id"]) for row in response.json()["results"]}
        assert not returned & b.ids_of(remote)


def _staff_therapist(side: Side) -> Client:
    user = side.therapist.user
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("staff", [False, True], ids=["not-staff", "staff"])
@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=ADMIN_IDS)
def test_a_therapist_gets_no_admin_data_at_all(
    a: Side, b: Side, model: type[models.Model], model_admin: Any, staff: bool
) -> None:
    if staff:
        client = _staff_therapist(a)
    else:
        client = Client()
        client.force_login(a.therapist.user)
    urls = _plain_urls(model_admin)
    own = a.objects().get(model)
    if own is not None:
        urls += _object_urls(model_admin, own)

    counts = row_counts()

    for url in urls:
        for response in (client.get(url), client.post(url, {"post": "yes"})):
            # 405: a POST-only view (process_import) asked with GET.
            assert response.status_code in {302, 403, 404, 405}, url
            assert_no_markers(response.content, A_MARKERS + B_MARKERS)
    assert row_counts() == counts


def test_a_superuser_sees_every_practice(admin_client: Client, a: Side, b: Side) -> None:
    page = admin_client.get(reverse("admin:practice_patient_changelist")).content.decode()

    assert a.patient.last_name in page and b.patient.last_name in page


# -------------------------------------------------------------------------------- API

API_ROUTES = [p for p in _patterns(api_urls.urlpatterns) if p.name]
API_BASENAMES = {
    "patient": Patient,
    "coverage": Coverage,
    "episode": Episode,
    "prescription": Prescription,
    "session": TreatmentSession,
    "therapist": Therapist,
    "agreement-request": AgreementRequest,
    "prior-use": PriorUse,
}
# The insurer-package catalogue is shared by every practice: it needs a token, but every
# practice reads the same rows.
SHARED = {"insurer-package": InsurerPackage}
# Routes that hold no practice data and need no token.
PUBLIC = {"schema", "docs", "not-found"}


def _methods(pattern: URLPattern) -> list[str]:
    actions = getattr(pattern.callback, "actions", None)
    if actions:
        return sorted(actions)
    view_class = pattern.callback.view_class  # type: ignore[attr-defined]
    return sorted(m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m))


def _model_of(pattern: URLPattern) -> type[models.Model] | None:
    return API_BASENAMES.get(str(pattern.name).rsplit("-", 1)[0])


def _shared_model_of(pattern: URLPattern) -> type[models.Model] | None:
    return SHARED.get(str(pattern.name).rsplit("-", 1)[0])


def _api_url(pattern: URLPattern, obj: models.Model | None) -> str:
    values: dict[str, int | str] = {} if obj is None else {"pk": int(obj.pk)}
    kwargs = _fill(str(pattern.name), _params(pattern), values)
    return reverse(f"api:{pattern.name}", kwargs=kwargs)


API_CALLS = [
    (pattern, method)
    for pattern in API_ROUTES
    if pattern.name not in PUBLIC
    for method in _methods(pattern)
]
API_CALL_IDS = [f"{method.upper()} {pattern.name}" for pattern, method in API_CALLS]
DETAIL_CALLS = [(p, m) for p, m in API_CALLS if _params(p) and not _shared_model_of(p)]
LIST_ROUTES = [p for p in API_ROUTES if _model_of(p) and not _params(p)]


def test_the_api_routes_are_enumerated() -> None:
    assert len(DETAIL_CALLS) >= 15 and len(LIST_ROUTES) == 8 and len(API_CALLS) >= 31


@pytest.mark.parametrize(
    ("pattern", "method"), DETAIL_CALLS, ids=[f"{m.upper()} {p.name}" for p, m in DETAIL_CALLS]
)
def test_an_api_detail_of_another_practices_row_is_404_and_changes_nothing(
    api_a: APIClient, b: Side, pattern: URLPattern, method: str
) -> None:
    model = _model_of(pattern)
    assert model is not None
    obj = b.objects()[model]
    before, counts = _snapshot(obj), row_counts()

    body = None if method == "get" else {"reason": "x"}
    response = getattr(api_a, method)(_api_url(pattern, obj), body, format="json")

    assert response.status_code == 404
    assert_no_markers(response.content)
    assert _snapshot(obj) == before
    assert row_counts() == counts


# Practice-bound ids in an API row, by the model they point at.
ROW_REFERENCES: dict[str, type[models.Model]] = {
    "patient": Patient,
    "episode": Episode,
    "therapist": Therapist,
    "prescription": Prescription,
    "session": TreatmentSession,
}


@pytest.mark.parametrize("pattern", LIST_ROUTES, ids=lambda p: p.name)
def test_an_api_list_never_includes_another_practices_rows(
    api_a: APIClient, a: Side, b: Side, pattern: URLPattern
) -> None:
    model = _model_of(pattern)
    assert model is not None
    # Each list's own filters: an unknown query parameter is a 400.
    known = set(pattern.callback.cls.filterset_class.base_filters)  # type: ignore[attr-defined]
    queries: list[dict[str, Any]] = [
        {},
        {"patient": b.patient.pk},
        {"episode": b.episode.pk},
        {"last_name": "Bravo"},
    ]
    for query in [q for q in queries if set(q) <= known]:
        response = api_a.get(_api_url(pattern, None), query)
        assert response.status_code == 200
        assert_no_markers(response.content)
        for row in response.json()["results"]:
            assert row["id"] not in b.ids_of(model)
            for key, target in ROW_REFERENCES.items():
                assert row.get(key) not in b.ids_of(target), (key, row)
    own = api_a.get(_api_url(pattern, None)).json()["results"]
    assert {row["id"] for row in own} == a.ids_of(model)


def _foreign_bodies(a: Side, b: Side) -> list[tuple[str, dict[str, Any]]]:
    """(route name, body) pairs that point a create at one of B's rows."""
    day = {"date": "2025-03-03"}
    return [
        ("patient-list", {"first_name": "X", "last_name": "Y", "birth_date": "1980-01-01",
                          "practice": b.practice.pk}),
        ("coverage-list", {"patient": b.patient.pk, "year": 2025, "treatments": 9}),
        ("episode-list", {"patient": b.patient.pk, "title": "x", "category": "regular"}),
        ("prescription-list", {"episode": b.episode.pk, "sessions": 9, **day}),
        ("session-list", {"episode": b.episode.pk, **day}),
        ("session-list", {"episode": a.episode.pk, "patient": b.patient.pk, **day}),
        ("session-list", {"episode": a.episode.pk, "therapist": b.therapist.pk, **day}),
        ("session-list", {"episode": a.episode.pk, "prescription": b.prescription.pk, **day}),
        ("agreement-request-list", {"episode": b.episode.pk}),
        ("agreement-request-list", {"episode": a.episode.pk, "prescription": b.prescription.pk}),
        ("agreement-request-list", {"episode": a.episode.pk,
                                    "previous_prescription": b.prescription.pk}),
        ("prior-use-list", {"patient": b.patient.pk, "year": 2025}),
    ]  # fmt: skip


FOREIGN_BODY_IDS = [
    "patient.practice",
    "coverage.patient",
    "episode.patient",
    "prescription.episode",
    "session.episode",
    "session.patient",
    "session.therapist",
    "session.prescription",
    "agreement-request.episode",
    "agreement-request.prescription",
    "agreement-request.previous_prescription",
    "prior-use.patient",
]


@pytest.mark.parametrize("case", range(len(FOREIGN_BODY_IDS)), ids=FOREIGN_BODY_IDS)
def test_an_api_create_naming_another_practices_row_is_400_and_creates_nothing(
    api_a: APIClient, a: Side, b: Side, case: int
) -> None:
    route, body = _foreign_bodies(a, b)[case]
    field = FOREIGN_BODY_IDS[case].split(".")[1]
    before = row_counts()

    response = api_a.post(reverse(f"api:{route}"), body, format="json")

    assert response.status_code in {400, 404}
    assert field in {error["field"] for error in response.json()["errors"]}
    assert_no_markers(response.content)
    assert row_counts() == before


def test_the_warnings_feed_has_no_patient_of_another_practice(
    api_a: APIClient, a: Side, b: Side
) -> None:
    response = api_a.get(reverse("api:warnings"), {"as_of": "2025-06-01"})

    assert response.status_code == 200
    assert_no_markers(response.content)
    assert b.patient.pk not in {row["patient"] for row in response.json()["results"]}


def test_the_warnings_feed_refuses_another_practices_therapist(api_a: APIClient, b: Side) -> None:
    response = api_a.get(reverse("api:warnings"), {"therapist": b.therapist.pk})

    assert response.status_code == 400
    assert_no_markers(response.content)


def test_cancelling_another_practices_session_is_404_and_it_stays_active(
    api_a: APIClient, b: Side
) -> None:
    response = api_a.post(
        reverse("api:session-cancel", args=[b.session.pk]), {"reason": "x"}, format="json"
    )

    assert response.status_code == 404
    b.session.refresh_from_db()
    assert b.session.cancelled_at is None


def _own_object(a: Side, pattern: URLPattern) -> models.Model | None:
    if not _params(pattern):
        return None
    shared = _shared_model_of(pattern)
    if shared is not None:
        return shared._default_manager.first()
    model = _model_of(pattern)
    return None if model is None else a.objects()[model]


@pytest.mark.parametrize(("pattern", "method"), API_CALLS, ids=API_CALL_IDS)
def test_a_revoked_token_is_401_everywhere(
    a: Side, b: Side, pattern: URLPattern, method: str
) -> None:
    api_token_revoke(token=a.token)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {a.key}")
    counts = row_counts()

    response = getattr(client, method)(_api_url(pattern, _own_object(a, pattern)), {}, "json")

    assert response.status_code == 401
    assert_no_markers(response.content, A_MARKERS + B_MARKERS)
    assert row_counts() == counts


@pytest.mark.parametrize(("pattern", "method"), API_CALLS, ids=API_CALL_IDS)
def test_no_token_is_401_everywhere(a: Side, b: Side, pattern: URLPattern, method: str) -> None:
    response = getattr(APIClient(), method)(_api_url(pattern, _own_object(a, pattern)), {}, "json")

    assert response.status_code == 401
    assert_no_markers(response.content, A_MARKERS + B_MARKERS)


def test_an_admin_session_is_no_api_access(a: Side, b: Side) -> None:
    client = APIClient()
    client.force_login(a.administrator.user)

    assert client.get(reverse("api:patient-list")).status_code in {401, 403}


def test_the_user_model_is_not_exposed_to_a_clinic_administrator(clinic_client: Client) -> None:
    url = reverse("admin:auth_user_changelist")

    assert clinic_client.get(url).status_code == 403
    assert User.objects.exists()
