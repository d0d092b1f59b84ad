from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "central.web"
    label = "web"
    verbose_name = "CounterPoint web"
