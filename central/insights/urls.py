"""The insights pages' URLs, mounted inside the admin site (``/admin/insights/...``) by
``central.web.admin_site``: login, staff and membership checks come from ``admin_view``."""

from django.urls import path

from central.insights import views


def admin_urls(site) -> list:
    v = site.admin_view
    return [
        path("insights/", v(views.compliance_view), name="insights-compliance"),
        path("insights/dashboard/", v(views.dashboard_view), name="insights-dashboard"),
        path("insights/rankings/", v(views.rankings_view), name="insights-rankings"),
        path("insights/points.json", v(views.point_search), name="insights-points"),
    ]
