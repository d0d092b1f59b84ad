from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "central.ratings"
    verbose_name = "Ratings"
