from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "central.insights"
    verbose_name = "Insights"
