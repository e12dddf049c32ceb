from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReimburseConfig(AppConfig):
    name = "reimburse"
    verbose_name = _("Reimbursement rules")

    def ready(self) -> None:
        from reimburse import checks  # noqa: F401  (registers the engine build's check)
        from reimburse.attention import signals

        signals.connect()
