from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "central.catalogue"
    verbose_name = _("Service catalogue and copy status")

    def ready(self) -> None:
        from central.catalogue import changes, history

        changes.connect()
        history.connect()
