"""The insights pages' URLs, mounted inside the admin site (``/admin/insights/...``) by
``central.web.admin_site``: login, staff and membership checks come from ``admin_view``."""

from django.urls import path

from central.insights import export_views, ops_views, views


def admin_urls(site) -> list:
    v = site.admin_view
    return [
        path("insights/", v(views.compliance_view), name="insights-compliance"),
        path("insights/dashboard/", v(views.dashboard_view), name="insights-dashboard"),
        path("insights/rankings/", v(views.rankings_view), name="insights-rankings"),
        path("insights/alerts/", v(ops_views.alerts_view), name="insights-alerts"),
        path(
            "insights/alerts/<int:alert_id>/<str:action>",
            v(ops_views.alert_action),
            name="insights-alert-action",
        ),
        path("insights/fleet/", v(ops_views.fleet_view), name="insights-fleet"),
        path("insights/exports/", v(export_views.exports_view), name="insights-exports"),
        path(
            "insights/export.<str:fmt>",
            v(export_views.export_file),
            {},
            name="insights-export",
        ),
        path("insights/exports/queue", v(export_views.queue_export), name="insights-export-queue"),
        path(
            "insights/exports/<int:job_id>/download",
            v(export_views.download_job),
            name="insights-export-download",
        ),
        path("insights/points.json", v(views.point_search), name="insights-points"),
    ]
