"""Public pages (no login) and the language switch; mounted at the site root by
central/urls.py. The admin site itself is ``central.web.admin_site.site`` at /admin/."""

from django.urls import include, path
from django.views.generic import RedirectView

from central.web import public

urlpatterns = [
    path("services/<str:code>", public.service_page, name="public-service"),
    path("services/<str:code>/", public.service_page),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
