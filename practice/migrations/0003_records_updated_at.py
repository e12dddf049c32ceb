"""Give coverage, episodes, prescriptions and sessions an ``updated_at`` for incremental sync.

Existing rows get the time of their last recorded change (the newest history row), else
their creation time; their history rows get the time of that change. Nothing the bridge reads
changes, so the Needs-attention lists stay valid.
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

MODELS = ("coverage", "episode", "prescription", "treatmentsession")


def fill_updated_at(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("practice", name)
        historical = apps.get_model("practice", f"historical{name}")
        last_change = Subquery(
            historical.objects.filter(id=OuterRef("pk"))
            .order_by("-history_date")
            .values("history_date")[:1]
        )
        # Coverage has no created_at: a row without history keeps the migration's time.
        fallback = F("created_at") if name != "coverage" else F("updated_at")
        model.objects.update(updated_at=Coalesce(last_change, fallback))
        historical.objects.update(updated_at=F("history_date"))


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0002_therapist_number_formats"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="updated_at",
                field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
                preserve_default=False,
            )
            for name in MODELS
        ),
        *(
            migrations.AddField(
                model_name=f"historical{name}",
                name="updated_at",
                field=models.DateTimeField(blank=True, default=django.utils.timezone.now, editable=False),
                preserve_default=False,
            )
            for name in MODELS
        ),
        migrations.RunPython(fill_updated_at, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="treatmentsession",
            index=models.Index(
                fields=["practice", "updated_at", "id"], name="session_practice_updated_idx"
            ),
        ),
    ]
