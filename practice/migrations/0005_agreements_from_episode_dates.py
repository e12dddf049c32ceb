"""Move each episode's agreement dates into an ``AgreementRequest(status=agreement)`` row.

The engine reads the same facts afterwards (one granted agreement over the same period), so the
stored Needs-attention lists stay right; they are deleted for the patients touched anyway, as
the README asks of every write that sends no model signal. Going back keeps the latest granted
request's period per episode.
"""

from typing import Any

from django.db import migrations

# Which eAgreement type an episode's category asks for (the categories that need an agreement
# are e and courante; the others are mapped for completeness).
KIND_OF_CATEGORY = {
    "courante": "physiotherapy-common-2-and-more",
    "fa": "physiotherapy-fa",
    "fb": "physiotherapy-fb",
    "perinatal": "physiotherapy-maternity",
    "palliative": "physiotherapy-palliative",
}


def _kind(category: str, pathology: str) -> str:
    if category == "e":
        return "physiotherapy-eb" if pathology.startswith("eb-") else "physiotherapy-e"
    # An NL episode has no use for an agreement; a row keeps its dates rather than lose them.
    return KIND_OF_CATEGORY.get(category, "physiotherapy-common-2-and-more")


def forwards(apps: Any, schema_editor: Any) -> None:
    Episode = apps.get_model("practice", "Episode")
    AgreementRequest = apps.get_model("practice", "AgreementRequest")
    AttentionSnapshot = apps.get_model("reimburse", "AttentionSnapshot")
    touched = set()
    episodes = Episode.objects.filter(agreement_from__isnull=False).select_related("patient")
    for episode in episodes.iterator():
        AgreementRequest.objects.create(
            practice_id=episode.patient.practice_id,
            episode=episode,
            kind=_kind(episode.category, episode.pathology),
            status="agreement",
            granted_from=episode.agreement_from,
            granted_until=episode.agreement_until,
        )
        touched.add(episode.patient_id)
    AttentionSnapshot.objects.filter(patient_id__in=touched).delete()


def backwards(apps: Any, schema_editor: Any) -> None:
    Episode = apps.get_model("practice", "Episode")
    AgreementRequest = apps.get_model("practice", "AgreementRequest")
    granted = AgreementRequest.objects.filter(status__in=["agreement", "partialAgreement"])
    for request in granted.order_by("granted_from", "id").iterator():
        Episode.objects.filter(pk=request.episode_id).update(
            agreement_from=request.granted_from, agreement_until=request.granted_until
        )


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0004_agreement_requests_and_use_elsewhere"),
        ("reimburse", "0003_attention_snapshot"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
