"""Alerts and fleet health pages of the insights side."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from central.fleet.models import Kiosk
from central.fleet.services import client_ip
from central.insights import alerts
from central.insights.models import Alert
from central.insights.views import Table, insights_page
from central.web.adminkit import display, role_of, scope_of
from central.web.labels import is_english

STATE_WORDS = {
    Alert.NEW: _("new"),
    Alert.ACKNOWLEDGED: _("acknowledged"),
    Alert.CLOSED: _("closed"),
}
KIND_WORDS = {
    Alert.DROP: _("satisfaction drop"),
    Alert.NO_COPY: _("No Copy contradicted"),
}
OFFLINE_AFTER = timedelta(days=1)
QUEUE_WARN = 500
SKEW_WARN_SECONDS = 600
LIST_MAX = 2000  # kiosks listed on the fleet page (the counts are always complete)


def alerts_view(request):
    state = request.GET.get("state", "open")
    if state not in ("open", "all", *STATE_WORDS):
        state = "open"

    def build(scope, f):
        qs = Alert.objects.scoped(scope).select_related("service_point", "agency", "changed_by")
        if state == "open":
            qs = qs.exclude(state=Alert.CLOSED)
        elif state != "all":
            qs = qs.filter(state=state)
        items = list(qs[:200])
        english = is_english()
        for a in items:
            a.summary = a.summary_en if english else a.summary_th
            a.state_label = STATE_WORDS[a.state]
            a.kind_label = KIND_WORDS[a.kind]
        rows = [[timezone.localtime(a.raised_at).strftime("%Y-%m-%d %H:%M"), str(a.kind_label), display(a.service_point),
                 a.summary, str(a.state_label)] for a in items]  # fmt: skip
        table = Table(
            "alerts",
            _("Alerts"),
            [_("Raised"), _("Kind"), _("Service point"),
             _("What"), _("State")],
            rows,
        )  # fmt: skip
        return {"alerts": items, "state": state, "tables": [table]}

    return insights_page(request, "admin/insights/alerts.html", _("Alerts"), build, default_days=90)


@require_POST
def alert_action(request, alert_id: int, action: str):
    if role_of(request) is None:
        raise PermissionDenied
    if action not in alerts.TRANSITIONS:
        raise Http404("no such action")
    alert = Alert.objects.scoped(scope_of(request)).filter(pk=alert_id).first()
    if alert is None:
        raise Http404("no such alert")
    alerts.transition(alert, action, request.user, client_ip(request))
    return HttpResponseRedirect(reverse("admin:insights-alerts"))


def fleet_view(request):
    def build(scope, f):
        from django.db.models import Count, Q

        from central.fleet import queues as queue_history

        now = timezone.now()
        growth = queue_history.growing(scope, now)
        base = scope.filter(Kiosk.objects.filter(revoked_at=None))
        # Counted in the database; only the kiosks with something wrong are loaded (at
        # 80,000 kiosks, loading them all took seconds).
        flags = {
            "offline": Q(last_seen__isnull=True) | Q(last_seen__lt=now - OFFLINE_AFTER),
            "queues": Q(queue_depth__gte=QUEUE_WARN),
            "refused": ~Q(catalogue_refused_reason=""),
            "clock": Q(skew_flag=True)
            | Q(clock_skew_seconds__gt=SKEW_WARN_SECONDS)
            | Q(clock_skew_seconds__lt=-SKEW_WARN_SECONDS),
            "growing": Q(pk__in=list(growth)),
        }
        any_flag = Q()
        for q in flags.values():
            any_flag |= q
        totals = base.aggregate(
            total=Count("id"),
            visit=Count("id", filter=any_flag),
            **{name: Count("id", filter=q) for name, q in flags.items()},
        )
        kiosks = list(
            base.filter(any_flag)
            .select_related("counter__service_point__agency")
            .order_by("id")[:LIST_MAX]
        )
        offline, queues, refused, skewed, growing = [], [], [], [], []
        visit: dict[int, dict] = {}
        for k in kiosks:
            reasons = []
            if k.last_seen is None or now - k.last_seen > OFFLINE_AFTER:
                offline.append(k)
                reasons.append(str(_("not seen for over a day")))
            if (k.queue_depth or 0) >= QUEUE_WARN:
                queues.append(k)
                reasons.append(str(_("long queue")))
            if k.pk in growth:
                growing.append(k)
                k.growth = growth[k.pk]
                reasons.append(str(_("queue growing")))
            if k.catalogue_refused_reason:
                refused.append(k)
                reasons.append(str(_("refused a catalogue")))
            if k.skew_flag or abs(k.clock_skew_seconds or 0) > SKEW_WARN_SECONDS:
                skewed.append(k)
                reasons.append(str(_("clock wrong")))
            if reasons:
                visit[k.pk] = {"kiosk": k, "reasons": reasons}
        versions = [
            (r["app_version"] or "?", r["n"])
            for r in base.values("app_version")
            .annotate(n=Count("id"))
            .order_by("-n", "app_version")
        ]

        def row(k):
            seen = (
                timezone.localtime(k.last_seen).strftime("%Y-%m-%d %H:%M") if k.last_seen else "—"
            )
            return [k.public_id, display(k.counter), display(k.counter.service_point.agency), seen,
                    k.queue_depth, k.app_version, k.catalogue_refused_reason or "",
                    round(k.clock_skew_seconds or 0)]  # fmt: skip

        header = [pgettext_lazy("short", "Kiosk"), _("Counter"), _("Agency"),
                  _("Last seen"), _("Queue"), _("Version"),
                  _("Refused catalogue"), _("Clock skew (s)")]  # fmt: skip
        tables = [
            Table("visit", _("Counters that need a visit"),
                  [*header, _("Why")],
                  [[*row(v["kiosk"]), ", ".join(v["reasons"])] for v in visit.values()]),
            Table("versions", _("App versions"),
                  [_("Version"), pgettext_lazy("count", "Kiosks")], [list(v) for v in versions]),
            Table("offline", _("Not seen for over a day"), header,
                  [row(k) for k in offline]),
            Table("queues", _("Long queues"), header, [row(k) for k in queues]),
            Table("growing", _("Growing queues (24 h)"),
                  [*header, _("24 h ago"), _("per hour")],
                  [[*row(k), k.growth["first"], k.growth["per_hour"]]
                   for k in sorted(growing, key=lambda k: -k.growth["per_hour"])]),
            Table("refused", _("Refused catalogues"), header,
                  [row(k) for k in refused]),
            Table("clock", _("Clock skew"), header, [row(k) for k in skewed]),
        ]  # fmt: skip
        return {
            "total": totals["total"],
            "counts": {name: totals[name] for name in (*flags, "visit")},
            "shown": len(kiosks),
            "list_max": LIST_MAX,
            "tables": tables,
        }

    return insights_page(request, "admin/insights/fleet.html", _("Fleet health"), build)
