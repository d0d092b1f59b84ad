"""Thai / English labels for the admin UI, in one table.

``tr(th, en)`` is a lazy string that reads as Thai or English depending on the language
active for the request (Thai by default; the admin header has a ไทย | English switch).
Keeping both wordings side by side here needs no ``.po``/``.mo`` build step, and the
people who maintain the wording can read it without gettext tools.

``apply()`` (called from ``WebConfig.ready``) sets the ``verbose_name`` of the models,
their fields and their apps from ``MODELS``/``FIELDS``/``APPS``. That is safe for
migrations: Django builds migration state from ``Meta``'s original attributes and from
``Field._verbose_name`` (the value written in models.py), never from these runtime
labels; ``tests/central/test_admin_site.py`` checks ``makemigrations --check``. Help texts
(``HELP``) are set on the admin form fields only, for the same reason (``help_text`` IS
part of a field's migration state).
"""

from __future__ import annotations

import contextlib

from django.apps import apps
from django.utils.functional import lazy
from django.utils.translation import get_language


def _pick(th: str, en: str) -> str:
    lang = get_language() or "th"
    return en if lang.startswith("en") else th


tr = lazy(_pick, str)


def is_english() -> bool:
    return (get_language() or "th").startswith("en")


APPS = {
    "directory": ("หน่วยงานและจุดให้บริการ", "Agencies and service points"),
    "catalogue": ("คู่มือสำหรับประชาชนและสถานะสำเนา", "Service catalogue and copy status"),
    "fleet": ("ตู้คีออสก์", "Kiosk fleet"),
    "ratings": ("ผลการประเมินความพึงพอใจ", "Ratings"),
    "audit": ("บันทึกการเปลี่ยนแปลง", "Audit log"),
    "auth": ("ผู้ใช้และสิทธิ์", "Users"),
}

# model label -> (Thai, English, Thai plural, English plural)
MODELS = {
    "directory.agency": ("หน่วยงาน", "agency", "หน่วยงาน", "agencies"),
    "directory.servicepoint": ("จุดให้บริการ", "service point", "จุดให้บริการ", "service points"),
    "directory.counter": ("ช่องบริการ", "counter", "ช่องบริการ", "counters"),
    "directory.membership": ("สังกัดผู้ใช้", "membership", "สังกัดผู้ใช้", "memberships"),
    "catalogue.document": ("เอกสาร", "document", "เอกสาร", "documents"),
    "catalogue.service": ("งานบริการ", "service", "งานบริการ", "services"),
    "catalogue.servicestep": ("ขั้นตอน", "step", "ขั้นตอนการให้บริการ", "steps"),
    "catalogue.servicedocument": (
        "เอกสารที่ต้องใช้",
        "required document",
        "เอกสารที่ต้องใช้",
        "required documents",
    ),
    "catalogue.offering": (
        "บริการ ณ จุดให้บริการ",
        "service at a service point",
        "บริการ ณ จุดให้บริการ",
        "services at service points",
    ),
    "catalogue.copystatus": (
        "สถานะสำเนาเอกสาร",
        "copy status",
        "สถานะสำเนาเอกสาร",
        "copy statuses",
    ),
    "fleet.enrolmentcode": (
        "รหัสลงทะเบียนตู้",
        "enrolment code",
        "รหัสลงทะเบียนตู้",
        "enrolment codes",
    ),
    "fleet.kiosk": ("ตู้คีออสก์", "kiosk", "ตู้คีออสก์", "kiosks"),
    "ratings.rating": ("ผลการประเมิน", "rating", "ผลการประเมิน", "ratings"),
    "audit.auditlog": (
        "รายการบันทึกการเปลี่ยนแปลง",
        "audit log entry",
        "บันทึกการเปลี่ยนแปลง",
        "audit log",
    ),
}

_NAME_TH = ("ชื่อ (ภาษาไทย)", "Name (Thai)")
_NAME_EN = ("ชื่อ (ภาษาอังกฤษ)", "Name (English)")
_CREATED = ("สร้างเมื่อ", "Created")
_UPDATED = ("แก้ไขล่าสุด", "Last changed")

# "app.model.field" -> (Thai, English)
FIELDS = {
    "directory.agency.code": ("รหัสหน่วยงาน", "Agency code"),
    "directory.agency.name_th": _NAME_TH,
    "directory.agency.name_en": _NAME_EN,
    "directory.agency.parent": ("หน่วยงานต้นสังกัด", "Parent agency"),
    "directory.agency.created_at": _CREATED,
    "directory.agency.updated_at": _UPDATED,
    "directory.servicepoint.agency": ("หน่วยงาน", "Agency"),
    "directory.servicepoint.code": ("รหัสจุดให้บริการ", "Service point code"),
    "directory.servicepoint.name_th": _NAME_TH,
    "directory.servicepoint.name_en": _NAME_EN,
    "directory.servicepoint.lat": ("ละติจูด", "Latitude"),
    "directory.servicepoint.lon": ("ลองจิจูด", "Longitude"),
    "directory.servicepoint.address_th": ("ที่อยู่ (ภาษาไทย)", "Address (Thai)"),
    "directory.servicepoint.address_en": ("ที่อยู่ (ภาษาอังกฤษ)", "Address (English)"),
    "directory.servicepoint.province_code": ("จังหวัด", "Province"),
    "directory.servicepoint.district_code": ("อำเภอ / เขต", "District"),
    "directory.servicepoint.subdistrict_code": ("ตำบล / แขวง", "Subdistrict"),
    "directory.servicepoint.hours_th": ("เวลาทำการ (ภาษาไทย)", "Opening hours (Thai)"),
    "directory.servicepoint.hours_en": ("เวลาทำการ (ภาษาอังกฤษ)", "Opening hours (English)"),
    "directory.servicepoint.phone": ("โทรศัพท์", "Phone"),
    "directory.servicepoint.created_at": _CREATED,
    "directory.servicepoint.updated_at": _UPDATED,
    "directory.counter.service_point": ("จุดให้บริการ", "Service point"),
    "directory.counter.number": ("หมายเลขช่อง", "Counter number"),
    "directory.counter.name_th": _NAME_TH,
    "directory.counter.name_en": _NAME_EN,
    "directory.counter.created_at": _CREATED,
    "directory.counter.updated_at": _UPDATED,
    "directory.membership.user": ("ผู้ใช้", "User"),
    "directory.membership.agency": ("สังกัดหน่วยงาน", "Agency"),
    "directory.membership.is_central": ("ผู้ดูแลส่วนกลาง", "Central admin"),
    "catalogue.document.code": ("รหัสเอกสาร", "Document code"),
    "catalogue.document.name_th": _NAME_TH,
    "catalogue.document.name_en": _NAME_EN,
    "catalogue.document.note_th": ("หมายเหตุ (ภาษาไทย)", "Note (Thai)"),
    "catalogue.document.note_en": ("หมายเหตุ (ภาษาอังกฤษ)", "Note (English)"),
    "catalogue.document.updated_at": _UPDATED,
    "catalogue.service.code": ("รหัสงานบริการ", "Service code"),
    "catalogue.service.name_th": _NAME_TH,
    "catalogue.service.name_en": _NAME_EN,
    "catalogue.service.agency": ("หน่วยงานเจ้าของคู่มือ", "Owning agency"),
    "catalogue.service.agency_th": (
        "หน่วยงานที่รับผิดชอบ (ตามคู่มือ ภาษาไทย)",
        "Responsible agency (as printed, Thai)",
    ),
    "catalogue.service.agency_en": (
        "หน่วยงานที่รับผิดชอบ (ภาษาอังกฤษ)",
        "Responsible agency (English)",
    ),
    "catalogue.service.fee_amount": ("ค่าธรรมเนียม (บาท)", "Fee (baht)"),
    "catalogue.service.fee_th": ("ข้อความค่าธรรมเนียม (ภาษาไทย)", "Fee wording (Thai)"),
    "catalogue.service.fee_en": ("ข้อความค่าธรรมเนียม (ภาษาอังกฤษ)", "Fee wording (English)"),
    "catalogue.service.total_minutes": ("ระยะเวลารวม (นาที)", "Total time (minutes)"),
    "catalogue.service.legal_basis_th": ("กฎหมายที่ให้อำนาจ (ภาษาไทย)", "Legal basis (Thai)"),
    "catalogue.service.legal_basis_en": ("กฎหมายที่ให้อำนาจ (ภาษาอังกฤษ)", "Legal basis (English)"),
    "catalogue.service.channels_th": ("ช่องทางการให้บริการ (ภาษาไทย)", "Service channels (Thai)"),
    "catalogue.service.channels_en": (
        "ช่องทางการให้บริการ (ภาษาอังกฤษ)",
        "Service channels (English)",
    ),
    "catalogue.service.complaint_th": ("ช่องทางร้องเรียน (ภาษาไทย)", "Where to complain (Thai)"),
    "catalogue.service.complaint_en": (
        "ช่องทางร้องเรียน (ภาษาอังกฤษ)",
        "Where to complain (English)",
    ),
    "catalogue.service.is_demo": ("ข้อมูลตัวอย่าง (ไม่ใช่คู่มือจริง)", "Demo values (not official)"),
    "catalogue.service.change_seq": ("เวอร์ชันแคตตาล็อก", "Catalogue version"),
    "catalogue.service.created_at": _CREATED,
    "catalogue.service.updated_at": _UPDATED,
    "catalogue.servicestep.service": ("งานบริการ", "Service"),
    "catalogue.servicestep.order": ("ลำดับ", "Order"),
    "catalogue.servicestep.title_th": ("ขั้นตอน (ภาษาไทย)", "Step (Thai)"),
    "catalogue.servicestep.title_en": ("ขั้นตอน (ภาษาอังกฤษ)", "Step (English)"),
    "catalogue.servicestep.minutes": ("เวลา (นาที)", "Minutes"),
    "catalogue.servicedocument.service": ("งานบริการ", "Service"),
    "catalogue.servicedocument.document": ("เอกสาร", "Document"),
    "catalogue.servicedocument.order": ("ลำดับ", "Order"),
    "catalogue.servicedocument.originals": ("ฉบับจริง (ฉบับ)", "Originals"),
    "catalogue.servicedocument.copies": ("สำเนาตามคู่มือ (ฉบับ)", "Copies per manual"),
    "catalogue.offering.service_point": ("จุดให้บริการ", "Service point"),
    "catalogue.offering.service": ("งานบริการ", "Service"),
    "catalogue.offering.counters": ("ช่องที่ให้บริการนี้", "Counters serving it"),
    "catalogue.offering.change_seq": ("เวอร์ชันแคตตาล็อก", "Catalogue version"),
    "catalogue.offering.created_at": _CREATED,
    "catalogue.offering.updated_at": _UPDATED,
    "catalogue.copystatus.offering": ("บริการ ณ จุดให้บริการ", "Service at service point"),
    "catalogue.copystatus.document": ("เอกสาร", "Document"),
    "catalogue.copystatus.status": ("สถานะสำเนา", "Copy status"),
    "catalogue.copystatus.copies": ("จำนวนสำเนาที่ต้องใช้", "Copies required"),
    "catalogue.copystatus.reason_th": (
        "เหตุผลที่ยังต้องใช้สำเนา (ภาษาไทย)",
        "Why a copy is still required (Thai)",
    ),
    "catalogue.copystatus.reason_en": (
        "เหตุผลที่ยังต้องใช้สำเนา (ภาษาอังกฤษ)",
        "Why a copy is still required (English)",
    ),
    "catalogue.copystatus.no_copy_since": ("ยกเลิกการเรียกสำเนาตั้งแต่", "No copy since"),
    "catalogue.copystatus.verify_th": (
        "สำนักงานตรวจสอบแทนสำเนาอย่างไร (ภาษาไทย)",
        "How the office verifies instead (Thai)",
    ),
    "catalogue.copystatus.verify_en": (
        "สำนักงานตรวจสอบแทนสำเนาอย่างไร (ภาษาอังกฤษ)",
        "How the office verifies instead (English)",
    ),
    "catalogue.copystatus.updated_at": _UPDATED,
    "catalogue.copystatus.updated_by": ("แก้ไขโดย", "Changed by"),
    "fleet.enrolmentcode.counter": ("ช่องบริการ", "Counter"),
    "fleet.enrolmentcode.hint": ("รหัสลงท้ายด้วย", "Code ends with"),
    "fleet.enrolmentcode.created_at": ("ออกรหัสเมื่อ", "Issued"),
    "fleet.enrolmentcode.created_by": ("ออกรหัสโดย", "Issued by"),
    "fleet.enrolmentcode.expires_at": ("หมดอายุ", "Expires"),
    "fleet.enrolmentcode.used_at": ("ใช้ไปเมื่อ", "Used"),
    "fleet.enrolmentcode.revoked_at": ("ยกเลิกเมื่อ", "Withdrawn"),
    "fleet.enrolmentcode.kiosk": ("ตู้ที่ลงทะเบียนด้วยรหัสนี้", "Kiosk enrolled with it"),
    "fleet.kiosk.counter": ("ช่องบริการ", "Counter"),
    "fleet.kiosk.enrolled_at": ("ลงทะเบียนเมื่อ", "Enrolled"),
    "fleet.kiosk.revoked_at": ("เพิกถอนเมื่อ", "Revoked"),
    "fleet.kiosk.revoked_by": ("เพิกถอนโดย", "Revoked by"),
    "fleet.kiosk.last_seen": ("ติดต่อล่าสุด", "Last seen"),
    "fleet.kiosk.last_ip": ("IP ล่าสุด", "Last IP address"),
    "fleet.kiosk.app_version": ("เวอร์ชันโปรแกรม", "App version"),
    "fleet.kiosk.queue_depth": ("ผลประเมินที่รอส่ง", "Ratings waiting to upload"),
    "fleet.kiosk.last_kiosk_time": ("นาฬิกาของตู้ (ครั้งล่าสุด)", "Kiosk clock (last heartbeat)"),
    "fleet.kiosk.clock_skew_seconds": ("นาฬิกาตู้คลาดเคลื่อน (วินาที)", "Clock skew (seconds)"),
    "fleet.kiosk.skew_flag": ("นาฬิกาตู้ผิดเกิน 10 นาที", "Clock off by over 10 min"),
    "ratings.rating.uuid": ("รหัสผลประเมิน (UUID)", "Rating id (UUID)"),
    "ratings.rating.kiosk": ("ตู้คีออสก์", "Kiosk"),
    "ratings.rating.service_point": ("จุดให้บริการ", "Service point"),
    "ratings.rating.counter": ("ช่องบริการ", "Counter"),
    "ratings.rating.service": ("งานบริการ", "Service"),
    "ratings.rating.score": ("คะแนน", "Score"),
    "ratings.rating.dim_staff": ("เจ้าหน้าที่", "Staff"),
    "ratings.rating.dim_waiting_time": ("เวลารอคอย", "Waiting time"),
    "ratings.rating.dim_steps": ("ความชัดเจนของขั้นตอน", "Clarity of steps"),
    "ratings.rating.dim_documents": ("เอกสาร", "Documents"),
    "ratings.rating.dim_facilities": ("สิ่งอำนวยความสะดวก", "Facilities"),
    "ratings.rating.dim_outcome": ("ผลลัพธ์", "Outcome"),
    "ratings.rating.asked_for_copy": ("ถูกขอสำเนาเอกสาร", "Asked for a photocopy"),
    "ratings.rating.comment": ("ความคิดเห็น", "Comment"),
    "ratings.rating.kiosk_time": ("เวลาตามนาฬิกาตู้", "Kiosk clock time"),
    "ratings.rating.kiosk_seq": ("ลำดับที่ตู้", "Kiosk sequence"),
    "ratings.rating.received_at": ("ส่วนกลางได้รับเมื่อ", "Received by central"),
    "ratings.rating.rated_at": ("ประเมินเมื่อ", "Rated at"),
    "ratings.rating.skew_seconds": ("นาฬิกาตู้คลาดเคลื่อน (วินาที)", "Clock skew (seconds)"),
    "ratings.rating.skew_flag": ("นาฬิกาตู้ผิด", "Kiosk clock wrong"),
    "ratings.rating.interval_flag": ("กดถี่ผิดปกติ", "Burst (too soon)"),
    "ratings.rating.batch_id": ("รหัสการส่งข้อมูล", "Upload batch id"),
    "audit.auditlog.at": ("เวลา", "When"),
    "audit.auditlog.actor": ("ผู้ใช้", "User"),
    "audit.auditlog.actor_label": ("ผู้ดำเนินการ", "Who"),
    "audit.auditlog.agency": ("หน่วยงาน", "Agency"),
    "audit.auditlog.action": ("การกระทำ", "Action"),
    "audit.auditlog.object_type": ("ประเภทข้อมูล", "Object type"),
    "audit.auditlog.object_id": ("รหัสข้อมูล", "Object id"),
    "audit.auditlog.before": ("ก่อนเปลี่ยน", "Before"),
    "audit.auditlog.after": ("หลังเปลี่ยน", "After"),
    "audit.auditlog.ip": ("IP", "IP address"),
}

# "app.model.field" -> (Thai, English): help under the admin form field.
HELP = {
    "directory.agency.code": (
        "ตัวอักษรภาษาอังกฤษตัวเล็ก ตัวเลข และขีด เช่น dopa-bkk",
        "Lower-case letters, digits and hyphens, e.g. dopa-bkk.",
    ),
    "directory.agency.parent": (
        "เจ้าหน้าที่ของหน่วยงานต้นสังกัดจะเห็นข้อมูลของหน่วยงานนี้ด้วย",
        "Staff of the parent agency also see this agency's data.",
    ),
    "directory.servicepoint.code": (
        "ชื่อย่อที่ไม่เปลี่ยน ตัวอักษรภาษาอังกฤษตัวเล็ก ตัวเลข และขีด เช่น cnx-mueang",
        "A short name that does not change: lower-case letters, digits and hyphens, "
        "e.g. cnx-mueang.",
    ),
    "directory.servicepoint.lat": (
        "คลิกบนแผนที่ด้านล่าง หรือพิมพ์ตัวเลข เช่น 13.746600",
        "Click the map below, or type it, e.g. 13.746600.",
    ),
    "directory.servicepoint.lon": (
        "คลิกบนแผนที่ด้านล่าง หรือพิมพ์ตัวเลข เช่น 100.523200",
        "Click the map below, or type it, e.g. 100.523200.",
    ),
    "directory.servicepoint.province_code": (
        "เลือกจังหวัดก่อน แล้วเลือกอำเภอ/เขต และตำบล/แขวง",
        "Choose the province first, then the district and subdistrict.",
    ),
    "directory.servicepoint.hours_th": (
        "เช่น จันทร์–ศุกร์ 08:30–16:30 น. (เว้นวันหยุดราชการ)",
        "In Thai, e.g. จันทร์–ศุกร์ 08:30–16:30 น.",
    ),
    "directory.servicepoint.hours_en": (
        "เช่น Mon–Fri 8:30–16:30 (closed on public holidays)",
        "E.g. Mon–Fri 8:30–16:30 (closed on public holidays).",
    ),
    "directory.servicepoint.phone": ("เช่น 02 123 4567", "E.g. 02 123 4567."),
    "directory.counter.number": (
        "หมายเลขที่ติดอยู่ที่ช่องบริการ",
        "The number shown at the counter.",
    ),
    "directory.membership.is_central": (
        "ผู้ดูแลส่วนกลางเห็นและแก้ไขข้อมูลของทุกหน่วยงาน",
        "A central admin sees and manages every agency.",
    ),
    "catalogue.service.code": (
        "ตัวอักษรภาษาอังกฤษตัวใหญ่ ตัวเลข และ _ เช่น ID_RENEW (ตู้ใช้รหัสนี้ อย่าเปลี่ยนโดยไม่จำเป็น)",
        "Upper-case letters, digits and _, e.g. ID_RENEW (kiosks use it: change it only "
        "if you must).",
    ),
    "catalogue.service.agency_th": (
        "ชื่อหน่วยงานตามที่พิมพ์ในคู่มือ",
        "The agency's name as printed in the manual.",
    ),
    "catalogue.service.fee_th": (
        "เว้นว่างได้: ระบบเติมให้ (0 บาท = 'ไม่มีค่าธรรมเนียม')",
        "May be left blank: filled in for you (0 baht = 'ไม่มีค่าธรรมเนียม').",
    ),
    "catalogue.service.fee_en": (
        "เว้นว่างได้: ระบบเติมให้ (0 บาท = 'No fee')",
        "May be left blank: filled in for you (0 baht = 'No fee').",
    ),
    "catalogue.service.total_minutes": (
        "เว้นว่าง: ใช้ผลรวมเวลาของทุกขั้นตอน",
        "Leave blank to use the sum of the steps.",
    ),
    "catalogue.service.agency": (
        "ใช้สำหรับรายงาน (ไม่บังคับ)",
        "Used for reports (optional).",
    ),
    "catalogue.service.is_demo": (
        "ติ๊กไว้เมื่อขั้นตอน เวลา หรือค่าธรรมเนียม เป็นค่าตัวอย่าง ตู้จะแสดงว่าเป็นข้อมูลตัวอย่าง",
        "Tick when steps, times or fees are example values: kiosks then say so.",
    ),
    "catalogue.servicedocument.copies": (
        "จำนวนสำเนาตามคู่มือ แต่ละจุดให้บริการกำหนดสถานะสำเนาของตนเองได้",
        "Copies per the manual; each service point can set its own copy status.",
    ),
    "catalogue.offering.counters": (
        "ช่องที่ให้บริการนี้ (ตู้ที่ช่องเหล่านี้จะแสดงบริการนี้ เจ้าหน้าที่ปรับที่ตู้ได้)",
        "Counters that serve it (their kiosks list it; staff can narrow this on the kiosk).",
    ),
    "catalogue.copystatus.status": (
        "ยังต้องใช้สำเนา: ระบุจำนวนและเหตุผล · ไม่ต้องใช้สำเนา: ระบุวันที่เริ่มและวิธีตรวจสอบแทน",
        "Copy required: say how many and why. No copy: say since when and how the office "
        "checks instead.",
    ),
    "catalogue.copystatus.reason_th": (
        "เฉพาะกรณียังต้องใช้สำเนา",
        "Only when a copy is still required.",
    ),
    "catalogue.copystatus.no_copy_since": (
        "เฉพาะกรณีไม่ต้องใช้สำเนา (ปี ค.ศ. เช่น 2021-10-01)",
        "Only for No copy (e.g. 2021-10-01).",
    ),
    "catalogue.copystatus.verify_th": (
        "เฉพาะกรณีไม่ต้องใช้สำเนา เช่น อ่านบัตรประชาชนด้วยเครื่องอ่านบัตร / ตรวจผ่าน Linkage Center",
        "Only for No copy, e.g. reads the smart ID card / checks the DOPA Linkage Center.",
    ),
}

COPY_STATUS_CHOICES = [
    ("copy_required", tr("ยังต้องใช้สำเนา", "Copy required")),
    ("no_copy", tr("ไม่ต้องใช้สำเนา (No Copy)", "No copy needed")),
]


def label(key: str):
    """The label of ``"app.model.field"`` (lazy), or None if not in the table."""
    pair = FIELDS.get(key)
    return tr(*pair) if pair else None


def help_text(key: str):
    pair = HELP.get(key)
    return tr(*pair) if pair else None


def apply() -> None:
    """Set the verbose names of apps, models and fields from the tables above."""
    for app_label, pair in APPS.items():
        with contextlib.suppress(LookupError):  # an app that is not installed
            apps.get_app_config(app_label).verbose_name = tr(*pair)
    for model_label, (th, en, th_plural, en_plural) in MODELS.items():
        model = apps.get_model(model_label)
        model._meta.verbose_name = tr(th, en)
        model._meta.verbose_name_plural = tr(th_plural, en_plural)
    for key, pair in FIELDS.items():
        app_label, model_name, field_name = key.split(".")
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        field.verbose_name = tr(*pair)
