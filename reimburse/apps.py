from django.apps import AppConfig


class ReimburseConfig(AppConfig):
    name = "reimburse"
    verbose_name = "Reimbursement rules"

    def ready(self) -> None:
        from reimburse.attention import signals

        signals.connect()
