"""The headline numbers on the admin home page: the user's scope, last 30 days, from the
rollups (one small aggregate each)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from central.insights import data
from central.insights.filters import Filters
from central.insights.models import Alert
from central.scope import Scope


def for_index(scope: Scope) -> dict | None:
    if scope.is_empty:
        return None
    today = timezone.localdate()
    f = Filters(start=today - timedelta(days=29), end=today)
    head = data.headline(scope, f)
    open_alerts = Alert.objects.scoped(scope).exclude(state=Alert.CLOSED).count()
    return {
        **head,
        "open_alerts": open_alerts,
        "insights_url": reverse("admin:insights-compliance"),
        "dashboard_url": reverse("admin:insights-dashboard"),
        "alerts_url": reverse("admin:insights-alerts"),
    }
