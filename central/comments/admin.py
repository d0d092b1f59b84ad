"""The comments page of the admin site (``/admin/comments/commentanalysis/``), one of the
insights pages (their shared filters and tabs): comments with sentiment, topics, score and
service point; per topic the share of
negative comments and the most frequent words; junk hidden unless asked for, and an admin
may unflag (or flag) one comment, which is audited. Scoped like every other page
(``central.scope`` via ``CounterPointAdmin.get_queryset``); read-only otherwise."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from central.comments import filters, summary
from central.comments.filters import SENTIMENT_WORDS, TOPIC_WORDS
from central.comments.models import CommentAnalysis
from central.insights.filters import BadFilter
from central.insights.views import insights_page
from central.ratings.admin import SCORE_WORDS
from central.web.admin_site import site
from central.web.adminkit import VIEW, CounterPointAdmin, audit_admin, display

PAGE_SIZE = 50


class CommentAnalysisAdmin(CounterPointAdmin):
    central_can = VIEW
    agency_can = VIEW

    def get_urls(self):
        return [
            path(
                "<int:pk>/junk/",
                self.admin_site.admin_view(require_POST(self.set_junk_view)),
                name="comments_commentanalysis_junk",
            ),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # One comment has no page of its own: the list shows everything there is.
        return HttpResponseRedirect(reverse("admin:comments_commentanalysis_changelist"))

    def changelist_view(self, request, extra_context=None):
        """The page, under the insights dashboards' shared filters (and their tabs)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            extra = filters.parse_extra(request.GET)
        except BadFilter as exc:
            return HttpResponse(exc.reason, status=exc.status, content_type="text/plain")

        def build(scope, f):
            return self._context(request, scope, f, extra)

        title = _("Citizens' comments")
        return insights_page(request, "admin/comments/page.html", title, build)

    def _context(self, request, scope, f, extra: filters.CommentFilters) -> dict:
        base = scope.filter(CommentAnalysis.objects.all()).select_related(
            "rating", "rating__service_point", "rating__service", "rating__counter"
        )
        shown = filters.apply(base, f, extra)
        junk_hidden = 0
        if not extra.junk:
            with_junk = filters.CommentFilters(extra.sentiment, extra.topic, junk=True)
            junk_hidden = filters.apply(base, f, with_junk).filter(junk=True).count()
        page = Paginator(shown.order_by("-rating__rated_at", "-pk"), PAGE_SIZE).get_page(
            request.GET.get("p")
        )
        sentiments = summary.by_sentiment(shown)
        query = f.query() + "".join(f"&{k}={v}" for k, v in extra.query().items())
        no_topic = f.query() + "".join(
            f"&{k}={v}" for k, v in extra.query().items() if k != "topic"
        )
        return {
            "opts": self.model._meta,
            "extra": extra,
            "sentiment_choices": [(k, v) for k, v in SENTIMENT_WORDS.items()],
            "topic_choices": [(k, v) for k, v in TOPIC_WORDS.items()],
            "page": page,
            "rows": [self._row(a) for a in page.object_list],
            "topics": [self._topic(t) for t in summary.by_topic(shown)],
            "sentiments": [
                {"key": k, "label": SENTIMENT_WORDS[k], "n": sentiments.get(k, 0)}
                for k in SENTIMENT_WORDS
            ],
            "total": page.paginator.count,
            "junk_hidden": junk_hidden,
            "comment_query": query,
            "no_topic_query": no_topic,
            "can_flag": True,
        }

    @staticmethod
    def _row(a: CommentAnalysis) -> dict:
        r = a.rating
        return {
            "pk": a.pk,
            "when": r.rated_at,
            "comment": r.comment or "",
            "score": r.score,
            "score_words": SCORE_WORDS.get(r.score, "?"),
            "sentiment": a.sentiment,
            "sentiment_label": SENTIMENT_WORDS[a.sentiment],
            "topics": [TOPIC_WORDS[t] for t in a.topics],
            "place": display(r.service_point),
            "counter": r.counter.number,
            "service": display(r.service) if r.service_id else "—",
            "junk": a.junk,
            "junk_reason": a.junk_reason,
            "copy_asked": a.mentions_copy_asked,
        }

    @staticmethod
    def _topic(t: summary.TopicFigures) -> dict:
        share = t.negative_share
        return {
            "key": t.topic,
            "label": TOPIC_WORDS[t.topic],
            "n": t.comments,
            "neg": t.negative,
            "share": None if share is None else round(share * 100),
            "words": t.words,
        }

    def set_junk_view(self, request, pk: int):
        """POST ``junk=0`` unflags a comment (shown again), ``junk=1`` flags it (hidden)."""
        obj = self.get_queryset(request).filter(pk=pk).select_related("rating").first()
        if obj is None:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        value = request.POST.get("junk")
        if value not in {"0", "1"}:
            messages.error(request, _("Bad request"))
            return HttpResponseRedirect(reverse("admin:comments_commentanalysis_changelist"))
        junk = value == "1"
        if obj.junk != junk:
            with transaction.atomic():
                before = {"junk": obj.junk, "junk_cleared": obj.junk_cleared}
                obj.junk = junk
                obj.junk_cleared = not junk
                obj.save(update_fields=["junk", "junk_cleared"])
                audit_admin(
                    request,
                    "unflag" if not junk else "flag",
                    obj,
                    before=before,
                    after={"junk": obj.junk, "junk_cleared": obj.junk_cleared},
                )
            messages.success(
                request,
                _("The comment is shown again") if not junk else _("The comment is hidden as junk"),
            )
        back = request.POST.get("next", "")
        url = reverse("admin:comments_commentanalysis_changelist")
        if back.startswith("?"):
            url += back
        return HttpResponseRedirect(url)


site.register(CommentAnalysis, CommentAnalysisAdmin)
