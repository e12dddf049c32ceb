"""The patient page's agreement requests, "treated elsewhere" and the quota's 'elsewhere'."""

from __future__ import annotations

import html as html_module
import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from practice.models import Episode, PriorUse
from tests.factories import EpisodeFactory
from tests.ui.agreements import WFI_CODE, WFI_TEXT, add_waiting_e_request
from tests.ui.conftest import Clinic

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def _page(client: Client, clinic: Clinic, language: str = "en") -> str:
    url = reverse("practice:patient", args=[clinic.patient.pk])
    return _text(client.get(url, headers={"accept-language": language}))


def test_a_waiting_request_shows_its_reason_and_what_is_missing(
    therapist_client: Client, clinic: Clinic
) -> None:
    add_waiting_e_request(clinic)

    text = _page(therapist_client, clinic)

    assert "Waiting for information from the physiotherapist" in text
    assert "100000004242" in text
    assert WFI_CODE in text and WFI_TEXT in text
    assert "E request: still missing before it can be sent:" in text
    assert "The prescriber's RIZIV number" in text
    assert "Annex: Radiology protocol" in text
    assert "Annex: Medical report" not in text  # it is attached


def test_a_refused_series_asks_for_a_new_request(therapist_client: Client, clinic: Clinic) -> None:
    _episode, request = add_waiting_e_request(clinic)
    request.status, request.reason_code = "refusal", "REF_AGREE_ALL_999"
    request.save()

    text = _page(therapist_client, clinic)

    assert "Refusal" in text and "REF_AGREE_ALL_999" in text
    assert "No request has been prepared yet" in text


def test_the_situation_is_shown_by_its_label_in_the_readers_language(
    therapist_client: Client, clinic: Clinic
) -> None:
    EpisodeFactory.create(patient=clinic.patient, title="Knee", pathology="co-3-2-5-1")

    dutch = _page(therapist_client, clinic, "nl")
    french = _page(therapist_client, clinic, "fr")

    assert "co-3-2-5-1 — Onderste extremiteit Knie Ligamentair letsel" in dutch
    assert "co-3-2-5-1 — Membre inférieur Genou Lésion ligamentaire" in french


def test_treated_elsewhere_this_year_is_saved_and_counted_in_the_quota(
    therapist_client: Client, clinic: Clinic, today: date
) -> None:
    url = reverse("practice:elsewhere", args=[clinic.patient.pk])
    field = f"episode-{clinic.episode.pk}"

    response = therapist_client.post(
        url, {"year": today.year, "situations": 0, "overflow": 2, field: 1}
    )

    assert response.status_code == 302
    clinic.episode.refresh_from_db()
    assert clinic.episode.prior_sessions == {str(today.year): 1}
    assert PriorUse.objects.get(patient=clinic.patient).overflow == 2
    with translation.override("en"):
        text = _page(therapist_client, clinic)
    assert "17 / 18" in text  # 16 here and 1 at the other practice
    assert "1 of them at another practice" in text


def test_an_invalid_number_changes_nothing(therapist_client: Client, clinic: Clinic) -> None:
    url = reverse("practice:elsewhere", args=[clinic.patient.pk])

    response = therapist_client.post(url, {"year": clinic.year, "situations": -1, "overflow": 0})

    assert response.status_code == 200
    assert "whole numbers from 0" in _text(response)
    assert not PriorUse.objects.exists()
    assert Episode.objects.get(pk=clinic.episode.pk).prior_sessions == {}
