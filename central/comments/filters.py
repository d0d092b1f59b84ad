"""The comments page's filters: date range, agency, province, service point, service, plus
sentiment, topic and "show junk". Choices come from the user's scope (``central.scope``);
a value outside it is a form error, never a way into another agency's data.

(The insights dashboards' shared filter form was not on main when this was written; when
it lands, this form should become a thin extension of it.)
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from central.catalogue.models import Service
from central.comments.models import SENTIMENTS, TOPIC_FIELDS
from central.directory.models import ServicePoint
from central.scope import Scope
from central.web import geo
from central.web.adminkit import DisplayModelChoiceField
from central.web.labels import tr

SENTIMENT_WORDS = {
    "pos": ("เชิงบวก", "positive"),
    "neu": ("เป็นกลาง", "neutral"),
    "neg": ("เชิงลบ", "negative"),
    "q": ("คำถาม", "question"),
}
TOPIC_WORDS = {
    "process": ("ขั้นตอน/กระบวนการ", "process and steps"),
    "staff": ("เจ้าหน้าที่", "staff"),
    "facilities": ("สิ่งอำนวยความสะดวก", "facilities"),
    "outcome": ("ผลลัพธ์", "outcome"),
    "waiting": ("เวลารอ", "waiting"),
    "documents": ("เอกสาร/สำเนา", "documents and copies"),
}


class CommentFilterForm(forms.Form):
    date_from = forms.DateField(
        required=False,
        label=tr("ตั้งแต่วันที่", "From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        required=False,
        label=tr("ถึงวันที่", "To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    agency = DisplayModelChoiceField(queryset=None, required=False, label=tr("หน่วยงาน", "Agency"))
    province = forms.ChoiceField(required=False, label=tr("จังหวัด", "Province"))
    service_point = forms.CharField(
        required=False,
        max_length=40,
        label=tr("รหัสจุดให้บริการ", "Service point code"),
    )
    service = DisplayModelChoiceField(
        queryset=Service.objects.order_by("code"), required=False, label=tr("งานบริการ", "Service")
    )
    sentiment = forms.ChoiceField(required=False, label=tr("ความรู้สึก", "Sentiment"))
    topic = forms.ChoiceField(required=False, label=tr("หัวข้อ", "Topic"))
    junk = forms.BooleanField(
        required=False, label=tr("แสดงความคิดเห็นขยะด้วย", "Show junk comments too")
    )

    def __init__(self, data, scope: Scope) -> None:
        super().__init__(data)
        self.scope = scope
        self.fields["agency"].queryset = scope.agencies().order_by("code")
        self.fields["province"].choices = [("", "—")] + geo.province_choices()
        self.fields["sentiment"].choices = [("", "—")] + [
            (k, tr(*v)) for k, v in SENTIMENT_WORDS.items()
        ]
        self.fields["topic"].choices = [("", "—")] + [(k, tr(*v)) for k, v in TOPIC_WORDS.items()]

    def clean_service_point(self) -> ServicePoint | None:
        code = self.cleaned_data.get("service_point", "").strip()
        if not code:
            return None
        point = self.scope.filter(ServicePoint.objects.filter(code=code)).first()
        if point is None:
            # Not echoed back: the page must not confirm a code of another agency.
            self.data = self.data.copy()
            self.data["service_point"] = ""
            raise forms.ValidationError(tr("ไม่พบจุดให้บริการรหัสนี้", "No service point with this code"))
        return point

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(
                tr("วันเริ่มต้องไม่หลังวันสิ้นสุด", "The start date is after the end date")
            )
        return data

    def rating_q(self, prefix: str = "rating__") -> Q:
        """The filters on the rating (date, agency, province, point, service)."""
        data = self.cleaned_data if self.is_valid() else {}
        q = Q()
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            q &= Q(**{f"{prefix}rated_at__gte": datetime.combine(data["date_from"], time(), tz)})
        if data.get("date_to"):
            end = datetime.combine(data["date_to"] + timedelta(days=1), time(), tz)
            q &= Q(**{f"{prefix}rated_at__lt": end})
        if data.get("agency"):
            q &= Q(**{f"{prefix}service_point__agency": data["agency"]})
        if data.get("province"):
            q &= Q(**{f"{prefix}service_point__province_code": data["province"]})
        if data.get("service_point"):
            q &= Q(**{f"{prefix}service_point": data["service_point"]})
        if data.get("service"):
            q &= Q(**{f"{prefix}service": data["service"]})
        return q

    def apply(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` of CommentAnalysis (already scoped) under every filter."""
        data = self.cleaned_data if self.is_valid() else {}
        queryset = queryset.filter(self.rating_q())
        if not data.get("junk"):
            queryset = queryset.filter(junk=False)
        if data.get("sentiment") in SENTIMENTS:
            queryset = queryset.filter(sentiment=data["sentiment"])
        if data.get("topic") in TOPIC_FIELDS:
            queryset = queryset.filter(**{TOPIC_FIELDS[data["topic"]]: True})
        return queryset
