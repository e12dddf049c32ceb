from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = _("Practice records")

    def ready(self) -> None:
        from practice import signals

        signals.connect()
