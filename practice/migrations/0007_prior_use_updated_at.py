"""Uses at another practice carry ``updated_at`` like the other records (ETag, sync)."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0006_drop_episode_agreement_dates"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalprioruse",
            name="updated_at",
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="prioruse",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
