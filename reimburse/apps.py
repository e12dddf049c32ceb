from django.apps import AppConfig


class ReimburseConfig(AppConfig):
    name = "reimburse"
    verbose_name = "Reimbursement rules"
