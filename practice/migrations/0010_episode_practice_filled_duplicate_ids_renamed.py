"""Fill each episode's practice from its patient, and free duplicated external ids.

Before external ids were unique per practice, parallel retries could store one external id on
several episodes. Sessions and prescriptions may hang on any copy, so none is deleted: the
oldest keeps the id, each later copy gets ``<id>~dup<pk>`` (cut to fit the column), which an
administrator can find by searching for ``~dup``. Separate from the schema changes because
PostgreSQL refuses to alter a table with pending trigger events in the same transaction.
"""

from django.db import migrations
from django.db.models import Count, OuterRef, Subquery

MAX_LENGTH = 100


def fill_and_deduplicate(apps, schema_editor):
    Episode = apps.get_model("practice", "Episode")
    HistoricalEpisode = apps.get_model("practice", "HistoricalEpisode")
    Patient = apps.get_model("practice", "Patient")
    practice_of_patient = Subquery(
        Patient.objects.filter(pk=OuterRef("patient_id")).values("practice_id")[:1]
    )
    Episode.objects.filter(practice__isnull=True).update(practice_id=practice_of_patient)
    HistoricalEpisode.objects.filter(practice__isnull=True).update(
        practice_id=practice_of_patient
    )
    duplicated = (
        Episode.objects.exclude(external_id="")
        .values("practice_id", "external_id")
        .annotate(copies=Count("id"))
        .filter(copies__gt=1)
    )
    for group in duplicated:
        copies = Episode.objects.filter(
            practice_id=group["practice_id"], external_id=group["external_id"]
        ).order_by("created_at", "id")
        for episode in list(copies)[1:]:
            suffix = f"~dup{episode.pk}"
            episode.external_id = group["external_id"][: MAX_LENGTH - len(suffix)] + suffix
            episode.save(update_fields=["external_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0009_episode_practice_and_session_submission_key"),
    ]

    operations = [
        migrations.RunPython(fill_and_deduplicate, migrations.RunPython.noop),
    ]
