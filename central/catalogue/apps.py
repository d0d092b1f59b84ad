from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "central.catalogue"
    verbose_name = "Service catalogue"

    def ready(self) -> None:
        from central.catalogue import changes

        changes.connect()
