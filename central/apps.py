from django.apps import AppConfig


class CentralConfig(AppConfig):
    """The project package itself, installed for its management commands (``demo``)."""

    name = "central"
    verbose_name = "CounterPoint"
