from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "central.web"
    label = "web"
    verbose_name = "CounterPoint web"

    def ready(self) -> None:
        from central.web import login_audit

        login_audit.connect()
