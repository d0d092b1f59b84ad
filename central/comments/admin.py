"""The comments page of the admin site (``/admin/comments/commentanalysis/``): comments
under filters with sentiment, topics, score and service point; per topic the share of
negative comments and the most frequent words; junk hidden unless asked for, and an admin
may unflag (or flag) one comment, which is audited. Scoped like every other page
(``central.scope`` via ``CounterPointAdmin.get_queryset``); read-only otherwise."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from central.comments import summary
from central.comments.filters import SENTIMENT_WORDS, TOPIC_WORDS, CommentFilterForm
from central.comments.models import CommentAnalysis
from central.ratings.admin import SCORE_WORDS
from central.web.admin_site import site
from central.web.adminkit import VIEW, CounterPointAdmin, audit_admin, display, scope_of
from central.web.labels import tr

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
        if not self.has_view_permission(request):
            raise PermissionDenied
        scope = scope_of(request)
        form = CommentFilterForm(request.GET or None, scope)
        base = self.get_queryset(request).select_related(
            "rating", "rating__service_point", "rating__service", "rating__counter"
        )
        if form.is_bound and not form.is_valid():
            shown = base.none()
        else:
            shown = form.apply(base) if form.is_bound else base.filter(junk=False)
        unfiltered_junk = (
            form.apply(base).filter(junk=True).count()
            if form.is_bound and form.is_valid()
            else base.filter(junk=True).count()
        )
        page = Paginator(shown.order_by("-rating__rated_at", "-pk"), PAGE_SIZE).get_page(
            request.GET.get("p")
        )
        topics = summary.by_topic(shown)
        sentiments = summary.by_sentiment(shown)
        query = request.GET.copy()
        query.pop("p", None)
        if form.is_bound and not form.is_valid():
            query.clear()  # links do not carry (or echo) a refused filter
        context = {
            **self.admin_site.each_context(request),
            "title": tr("ความคิดเห็นของประชาชน", "Citizens' comments"),
            "opts": self.model._meta,
            "form": form,
            "page": page,
            "rows": [self._row(a) for a in page.object_list],
            "topics": [self._topic(t) for t in topics],
            "sentiments": [
                {"key": k, "label": tr(*SENTIMENT_WORDS[k]), "n": sentiments.get(k, 0)}
                for k in SENTIMENT_WORDS
            ],
            "total": page.paginator.count,
            "junk_hidden": 0
            if (form.is_bound and form.cleaned_data.get("junk"))
            else unfiltered_junk,
            "query": query.urlencode(),
            "can_flag": True,
        }
        return TemplateResponse(request, "admin/comments/page.html", context)

    @staticmethod
    def _row(a: CommentAnalysis) -> dict:
        r = a.rating
        th, en = SCORE_WORDS.get(r.score, ("?", "?"))
        return {
            "pk": a.pk,
            "when": r.rated_at,
            "comment": r.comment or "",
            "score": r.score,
            "score_words": tr(th, en),
            "sentiment": a.sentiment,
            "sentiment_label": tr(*SENTIMENT_WORDS[a.sentiment]),
            "topics": [tr(*TOPIC_WORDS[t]) for t in a.topics],
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
            "label": tr(*TOPIC_WORDS[t.topic]),
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
            messages.error(request, tr("คำขอไม่ถูกต้อง", "Bad request"))
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
                tr("แสดงความคิดเห็นนี้แล้ว", "The comment is shown again")
                if not junk
                else tr("ซ่อนความคิดเห็นนี้แล้ว", "The comment is hidden as junk"),
            )
        back = request.POST.get("next", "")
        url = reverse("admin:comments_commentanalysis_changelist")
        if back.startswith("?"):
            url += back
        return HttpResponseRedirect(url)


site.register(CommentAnalysis, CommentAnalysisAdmin)
