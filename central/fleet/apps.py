from django.apps import AppConfig


class FleetConfig(AppConfig):
    name = "central.fleet"
    verbose_name = "Kiosk fleet"
