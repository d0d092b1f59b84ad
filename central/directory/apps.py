from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "central.directory"
    verbose_name = "Directory (agencies, service points, counters)"
