from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "central.comments"
    label = "comments"
    verbose_name = "Comments"
