"""Root URLs: the kiosk sync API under /api/v1/, Django's admin, and the admins' web UI
(central/web) when it is installed."""

import importlib.util

from django.contrib import admin
from django.urls import include, path

from central import health
from central.api import errors

_HAS_WEB = (
    importlib.util.find_spec("central.web") is not None
    and importlib.util.find_spec("central.web.urls") is not None
)
if _HAS_WEB:
    # The CounterPoint admin site: agency scope, audit, Thai/English (central/web).
    from central.web.admin_site import site as admin_site
else:
    admin_site = admin.site

urlpatterns = [
    path("health", health.health, name="health"),
    path("api/", include("central.api.urls")),
    path("admin/", admin_site.urls),
]
# The citizens' directory and open data (central/public): no login.
urlpatterns.append(path("", include("central.public.urls")))
if _HAS_WEB:
    urlpatterns.append(path("", include("central.web.urls")))

# JSON errors under /api/, Django's defaults elsewhere.
handler400 = errors.handler400
handler403 = errors.handler403
handler404 = errors.handler404
handler500 = errors.handler500
