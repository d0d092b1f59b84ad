from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "central.audit"
    verbose_name = "Audit log"
