"""Demo data for central: agencies, service points, counters, the catalogue, copy statuses,
admin users and fresh enrolment codes. Idempotent: running it again changes nothing that is
already right (so kiosk catalogue cursors stay valid), except that it sets new passwords for
the demo users and issues new enrolment codes, which it prints.

The catalogue comes from the public-facts CSVs (services.csv, documents.csv): by default
``../shared/catalogue`` next to the repository when present, else the copy bundled in
``central/demo_data``. Steps, times, fees, legal basis and channels are NOT in the CSVs;
the values written here are invented, and every service is marked ``is_demo`` (the kiosk
shows them as demo values).
"""

from __future__ import annotations

import csv
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import geothai
from django.contrib.auth import get_user_model
from django.db import transaction

from central.catalogue.models import (
    ChangeCounter,
    CopyStatus,
    Document,
    Offering,
    OfferingTombstone,
    Service,
    ServiceDocument,
    ServiceStep,
    fee_texts,
)
from central.directory.models import Agency, Counter, Membership, ServicePoint
from central.fleet import services as fleet
from central.fleet.models import EnrolmentCode, Kiosk
from central.ratings.models import Rating

REPO_DIR = Path(__file__).resolve().parent.parent
BUNDLED_CATALOGUE = Path(__file__).resolve().parent / "demo_data"
SHARED_CATALOGUE = REPO_DIR.parent / "shared" / "catalogue"

NO_COPY_SINCE = date(2021, 10, 1)  # DOPA letter มท 0309.4/ว 25043, October 2021

AGENCIES = [
    # code, parent, name_th, name_en
    ("dopa", None, "กรมการปกครอง", "Department of Provincial Administration"),
    ("dopa-bkk", "dopa", "สำนักงานเขต กรุงเทพมหานคร", "Bangkok district offices"),
    ("dlt", None, "กรมการขนส่งทางบก", "Department of Land Transport"),
]
# CSV agency_en -> our agency code, for Service.agency.
SERVICE_AGENCY = {
    "Department of Provincial Administration": "dopa",
    "Department of Land Transport": "dlt",
}

DOPA_HOURS = (
    "จันทร์–ศุกร์ 08:30–16:30 น. (เว้นวันหยุดราชการ)",
    "Mon–Fri 08:30–16:30 (not on public holidays)",
)
DLT_HOURS = (
    "จันทร์–ศุกร์ 08:30–15:30 น. (เว้นวันหยุดราชการ)",
    "Mon–Fri 08:30–15:30 (not on public holidays)",
)

# code, agency, kind, name_th, name_en, street_th, street_en, subdistrict, lat, lon, phone
# Coordinates: hand-placed near the real offices (demo accuracy, not surveyed).
SERVICE_POINTS = [
    ("bkk-pathumwan", "dopa-bkk", "bkk", "สำนักงานเขตปทุมวัน", "Pathum Wan District Office",
     "274 ถนนพระราม 1", "274 Rama I Road", "100701", 13.74660, 100.52320, "02 214 1015"),
    ("bkk-bangrak", "dopa-bkk", "bkk", "สำนักงานเขตบางรัก", "Bang Rak District Office",
     "ถนนนเรศ", "Naret Road", "100405", 13.72990, 100.51960, "02 236 1395"),
    ("bkk-chatuchak", "dopa-bkk", "bkk", "สำนักงานเขตจตุจักร", "Chatuchak District Office",
     "ถนนพหลโยธิน", "Phahonyothin Road", "103005", 13.82830, 100.56600, "02 513 2014"),
    ("bkk-bangkapi", "dopa-bkk", "bkk", "สำนักงานเขตบางกะปิ", "Bang Kapi District Office",
     "ถนนนวมินทร์", "Nawamin Road", "100608", 13.76570, 100.64120, "02 377 4436"),
    ("cmi-mueang", "dopa", "district", "ที่ว่าการอำเภอเมืองเชียงใหม่", "Mueang Chiang Mai District Office",
     "ถนนพระปกเกล้า", "Phra Pokklao Road", "500101", 18.79530, 98.98620, "053 211 500"),
    ("kkn-mueang", "dopa", "district", "ที่ว่าการอำเภอเมืองขอนแก่น", "Mueang Khon Kaen District Office",
     "ถนนศรีจันทร์", "Si Chan Road", "400101", 16.43220, 102.82360, "043 236 422"),
    ("pkt-mueang", "dopa", "district", "ที่ว่าการอำเภอเมืองภูเก็ต", "Mueang Phuket District Office",
     "ถนนนริศร", "Narisorn Road", "830101", 7.88460, 98.39230, "076 212 073"),
    ("ska-hatyai", "dopa", "district", "ที่ว่าการอำเภอหาดใหญ่", "Hat Yai District Office",
     "ถนนเพชรเกษม", "Phetkasem Road", "901101", 7.00860, 100.47470, "074 243 014"),
    ("nma-mueang", "dopa", "district", "ที่ว่าการอำเภอเมืองนครราชสีมา", "Mueang Nakhon Ratchasima District Office",
     "ถนนจักรี", "Chakkri Road", "300101", 14.97380, 102.09830, "044 242 190"),
    ("dlt-bkk1", "dlt", "dlt", "สำนักงานขนส่งกรุงเทพมหานครพื้นที่ 1", "Bangkok Area 1 Land Transport Office",
     "1032 ถนนพหลโยธิน", "1032 Phahonyothin Road", "103004", 13.81280, 100.56170, "02 271 8888"),
    ("dlt-cmi", "dlt", "dlt", "สำนักงานขนส่งจังหวัดเชียงใหม่", "Chiang Mai Provincial Land Transport Office",
     "ถนนซุปเปอร์ไฮเวย์เชียงใหม่-ลำปาง", "Chiang Mai–Lampang Superhighway", "500106", 18.80350, 99.01500, "053 241 666"),
    ("dlt-kkn", "dlt", "dlt", "สำนักงานขนส่งจังหวัดขอนแก่น", "Khon Kaen Provincial Land Transport Office",
     "ถนนมิตรภาพ", "Mittraphap Road", "400101", 16.44670, 102.83670, "043 236 009"),
]  # fmt: skip

# kind -> [(number, name_th, name_en, [service codes])]
COUNTERS = {
    "bkk": [
        (1, "ช่อง 1 งานบัตรประจำตัวประชาชน", "Counter 1: ID cards", ["ID_FIRST", "ID_RENEW", "ID_LOST"]),
        (2, "ช่อง 2 งานทะเบียนราษฎร", "Counter 2: Civil registration",
         ["BIRTH", "DEATH", "MOVE_IN", "MOVE_OUT", "HOUSE_NUMBER", "NAME_CHANGE", "SURNAME_CHANGE"]),
        (3, "ช่อง 3 งานทะเบียนครอบครัว", "Counter 3: Family registration", ["MARRIAGE", "DIVORCE"]),
    ],
    "district": [
        (1, "ช่อง 1 งานบัตรประจำตัวประชาชน", "Counter 1: ID cards", ["ID_FIRST", "ID_RENEW", "ID_LOST"]),
        (2, "ช่อง 2 งานทะเบียนราษฎร", "Counter 2: Civil registration",
         ["BIRTH", "DEATH", "MOVE_IN", "MOVE_OUT", "HOUSE_NUMBER", "NAME_CHANGE", "SURNAME_CHANGE"]),
        (3, "ช่อง 3 งานทะเบียนครอบครัวและสัสดี", "Counter 3: Family registration and military",
         ["MARRIAGE", "DIVORCE", "MILITARY_REG"]),
    ],
    "dlt": [
        (1, "ช่อง 1 งานใบอนุญาตขับรถ", "Counter 1: Driving licences", ["DL_RENEW", "DL_FIRST", "IDP"]),
        (2, "ช่อง 2 งานทะเบียนและภาษีรถ", "Counter 2: Vehicle registration and tax",
         ["VEHICLE_TAX", "VEHICLE_TRANSFER"]),
    ],
}  # fmt: skip

# Demo fees in baht (invented for the demo; absent = no fee).
DEMO_FEES = {
    "ID_LOST": "20", "NAME_CHANGE": "50", "SURNAME_CHANGE": "100", "DL_RENEW": "505",
    "DL_FIRST": "205", "IDP": "505", "VEHICLE_TRANSFER": "105", "PASSPORT_NEW": "1000",
    "CRIMINAL_RECORD": "100", "COMPANY_REG": "5500", "LAND_SALE": "50", "LAND_SURVEY": "30",
    "BUILDING_PERMIT": "20", "WORK_PERMIT": "1900",
}  # fmt: skip
# Documents the office keeps or reads (no copy in the manual either).
ORIGINAL_ONLY = {"BIRTH_NOTICE", "DEATH_NOTICE", "MEDICAL_CERT", "PHOTO", "DRIVING_LICENCE"}
# Linkage Center documents: No Copy at DOPA offices since Oct 2021.
LINKAGE_DOCS = {"ID_CARD", "HOUSE_REG"}

DEMO_USERS = [
    # username, agency code (None: central superuser), first name
    ("central", None, "Central admin"),
    ("dopa_admin", "dopa", "DOPA admin"),
    ("bkk_admin", "dopa-bkk", "Bangkok district offices admin"),
    ("dlt_admin", "dlt", "DLT admin"),
]


@dataclass
class CatalogueRow:
    code: str
    name_th: str
    name_en: str
    agency_th: str
    agency_en: str
    documents: list[str]


def catalogue_dir(explicit: str | Path | None = None) -> Path:
    """Where to read services.csv/documents.csv from (see the module doc)."""
    if explicit:
        path = Path(explicit)
    elif (SHARED_CATALOGUE / "services.csv").is_file():
        path = SHARED_CATALOGUE
    else:
        path = BUNDLED_CATALOGUE
    for name in ("services.csv", "documents.csv"):
        if not (path / name).is_file():
            raise FileNotFoundError(f"{path / name} not found")
    return path


def read_catalogue(path: Path) -> tuple[list[dict], list[CatalogueRow]]:
    with open(path / "documents.csv", encoding="utf-8", newline="") as f:
        documents = list(csv.DictReader(f))
    with open(path / "services.csv", encoding="utf-8", newline="") as f:
        services = [
            CatalogueRow(
                code=row["code"].strip(),
                name_th=row["name_th"].strip(),
                name_en=row["name_en"].strip(),
                agency_th=row["agency_th"].strip(),
                agency_en=row["agency_en"].strip(),
                documents=[d.strip() for d in row["documents"].split(";") if d.strip()],
            )
            for row in csv.DictReader(f)
        ]
    known = {d["code"] for d in documents}
    for service in services:
        unknown = set(service.documents) - known
        if unknown:
            raise ValueError(f"{service.code}: unknown documents {sorted(unknown)}")
    return documents, services


def _upsert(model, lookup: dict, values: dict):
    """Create, or update only the fields that differ (saves nothing if all are equal, so
    no change-sequence bump and kiosks' cursors stay valid)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, True
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.full_clean()
        obj.save()
    return obj, bool(changed)


def _demo_minutes(code: str) -> tuple[int, int, int]:
    h = hashlib.sha256(code.encode()).digest()
    return 5 + h[0] % 6, 5 + h[1] % 16, 5


def _address(street: str, subdistrict_code: str, lang: str) -> str:
    a = geothai.address(subdistrict_code)
    postal = a.subdistrict.postal_codes[0]
    if lang == "en":
        return f"{street}, {a.subdistrict.name_en}, {a.district.name_en}, {a.province.name_en} {postal}"
    if a.province.code == "10":
        return f"{street} แขวง{a.subdistrict.name_th} {a.district.name_th} {a.province.name_th} {postal}"
    return (
        f"{street} ตำบล{a.subdistrict.name_th} อำเภอ{a.district.name_th} "
        f"จังหวัด{a.province.name_th} {postal}"
    )


def reset() -> None:
    """Delete ALL CounterPoint data (not just demo rows) and the demo users."""
    with transaction.atomic():
        Rating.objects.all().delete()
        from central.insights.models import AgencyDay, AgencyHour, Alert, ExportJob, PointMonth
        from central.ratings.models import RatingKey

        RatingKey.objects.all().delete()
        for model in (PointMonth, AgencyDay, AgencyHour, Alert, ExportJob):
            model.unscoped.all().delete()
        EnrolmentCode.objects.all().delete()
        Kiosk.objects.all().delete()
        from central.audit.models import AuditLog

        AuditLog.objects.all().delete()
        CopyStatus.objects.all().delete()
        Offering.objects.all().delete()
        OfferingTombstone.objects.all().delete()
        ServiceStep.objects.all().delete()
        ServiceDocument.objects.all().delete()
        Service.objects.all().delete()
        Document.objects.all().delete()
        Counter.objects.all().delete()
        ServicePoint.objects.all().delete()
        Membership.objects.all().delete()
        while Agency.objects.exists():  # leaves first (parent is PROTECT)
            Agency.objects.filter(children__isnull=True).delete()
        get_user_model().objects.filter(username__in=[u for u, _, _ in DEMO_USERS]).delete()
        ChangeCounter.objects.all().delete()  # new epoch: kiosks fetch a full catalogue


def seed(catalogue: str | Path | None = None, password: str | None = None) -> dict:
    """Create or update the demo data; returns the summary printed by ``demo --json``."""
    source = catalogue_dir(catalogue)
    documents, services = read_catalogue(source)
    with transaction.atomic():
        agencies = _seed_agencies()
        _seed_catalogue(documents, services, agencies)
        points = _seed_points(agencies)
        users = _seed_users(agencies, password)
        codes = _issue_codes(points)
    return {
        "catalogue": {
            "source": str(source),
            "services": len(services),
            "documents": len(documents),
            "demo_values": True,
        },
        "agencies": [
            {"code": a.code, "name_en": a.name_en, "parent": a.parent.code if a.parent else None}
            for a in agencies.values()
        ],
        "service_points": [
            {
                "id": sp.public_id,
                "code": sp.code,
                "name_th": sp.name_th,
                "name_en": sp.name_en,
                "agency": sp.agency.code,
                "counters": [
                    {
                        "id": counter.public_id,
                        "name_en": counter.name_en,
                        "enrolment_code": codes[counter.pk][0],
                        "enrolment_code_expires_at": codes[counter.pk][1].isoformat(),
                    }
                    for counter in sp.counters.order_by("number")
                ],
            }
            for sp in points
        ],
        "users": users,
    }


def _seed_agencies() -> dict[str, Agency]:
    out: dict[str, Agency] = {}
    for code, parent, name_th, name_en in AGENCIES:
        out[code], _ = _upsert(
            Agency,
            {"code": code},
            {"name_th": name_th, "name_en": name_en, "parent": out.get(parent) if parent else None},
        )
    return out


def _seed_catalogue(documents: list[dict], services: list[CatalogueRow], agencies) -> None:
    docs: dict[str, Document] = {}
    for row in documents:
        docs[row["code"]], _ = _upsert(
            Document,
            {"code": row["code"]},
            {
                "name_th": row["name_th"],
                "name_en": row["name_en"],
                "note_en": (row.get("no_copy_note") or "").strip(),
            },
        )
    for row in services:
        fee = Decimal(DEMO_FEES.get(row.code, "0")).quantize(Decimal("0.01"))
        submit, decide, collect = _demo_minutes(row.code)
        complaint = (
            ("สายด่วนกรมการขนส่งทางบก 1584", "Department of Land Transport hotline 1584")
            if row.code.startswith(("DL_", "IDP", "VEHICLE"))
            else ("ศูนย์ดำรงธรรม โทร 1567", "Damrongdhama Center, call 1567")
        )
        service, _ = _upsert_service(row, agencies, fee, (submit, decide, collect), complaint)
        steps = [
            ("ยื่นคำขอและตรวจสอบเอกสาร", "Submit the request; documents are checked", submit),
            ("เจ้าหน้าที่ตรวจสอบข้อมูลและพิจารณา", "The officer verifies and decides", decide),
            ("ชำระค่าธรรมเนียม (ถ้ามี) และรับเอกสาร", "Pay the fee (if any) and collect", collect),
        ]
        for order, (title_th, title_en, minutes) in enumerate(steps, start=1):
            _upsert(
                ServiceStep,
                {"service": service, "order": order},
                {"title_th": title_th, "title_en": title_en, "minutes": minutes},
            )
        for step in service.steps.filter(order__gt=len(steps)):
            step.delete()
        for order, code in enumerate(row.documents, start=1):
            _upsert(
                ServiceDocument,
                {"service": service, "document": docs[code]},
                {
                    "order": order,
                    "originals": 2 if code == "PHOTO" else 1,
                    "copies": 0 if code in ORIGINAL_ONLY else 1,
                },
            )
        for sd in service.service_documents.exclude(document__code__in=row.documents):
            sd.delete()


def _upsert_service(row, agencies, fee, minutes, complaint):
    return _upsert(
        Service,
        {"code": row.code},
        {
            "name_th": row.name_th,
            "name_en": row.name_en,
            "agency": agencies.get(SERVICE_AGENCY.get(row.agency_en, "")),
            "agency_th": row.agency_th,
            "agency_en": row.agency_en,
            "fee_amount": fee,
            "fee_th": fee_texts(fee)[0],
            "fee_en": fee_texts(fee)[1],
            "total_minutes": sum(minutes),
            "legal_basis_th": "(ข้อมูลตัวอย่าง) ดูคู่มือสำหรับประชาชนฉบับทางการ",
            "legal_basis_en": "(demo) See the official Citizen's Manual",
            "channels_th": "ยื่นคำขอด้วยตนเองที่สำนักงาน",
            "channels_en": "In person at the office",
            "complaint_th": complaint[0],
            "complaint_en": complaint[1],
            "is_demo": True,
        },
    )


def _seed_points(agencies: dict[str, Agency]) -> list[ServicePoint]:
    offerings_by_kind = {
        kind: [c for _, _, _, codes in rows for c in codes] for kind, rows in COUNTERS.items()
    }
    services = {s.code: s for s in Service.objects.all()}
    documents = {d.code: d for d in Document.objects.all()}
    points = []
    for (
        code,
        agency,
        kind,
        name_th,
        name_en,
        street_th,
        street_en,
        sub,
        lat,
        lon,
        phone,
    ) in SERVICE_POINTS:
        hours = DLT_HOURS if kind == "dlt" else DOPA_HOURS
        sp, _ = _upsert(
            ServicePoint,
            {"code": code},
            {
                "agency": agencies[agency],
                "name_th": name_th,
                "name_en": name_en,
                "lat": lat,
                "lon": lon,
                "address_th": _address(street_th, sub, "th"),
                "address_en": _address(street_en, sub, "en"),
                "province_code": sub[:2],
                "district_code": sub[:4],
                "subdistrict_code": sub,
                "hours_th": hours[0],
                "hours_en": hours[1],
                "phone": phone,
            },
        )
        points.append(sp)
        offerings = {}
        for service_code in offerings_by_kind[kind]:
            offerings[service_code], _ = Offering.objects.get_or_create(
                service_point=sp, service=services[service_code]
            )
        for number, counter_th, counter_en, codes in COUNTERS[kind]:
            counter, _ = _upsert(
                Counter,
                {"service_point": sp, "number": number},
                {"name_th": counter_th, "name_en": counter_en},
            )
            wanted = {offerings[c].pk for c in codes}
            if set(counter.offerings.values_list("pk", flat=True)) != wanted:
                counter.offerings.set(wanted)
        for offering in offerings.values():
            _seed_copy_statuses(sp, kind, offering, documents)
    return points


def _seed_copy_statuses(sp: ServicePoint, kind: str, offering: Offering, documents) -> None:
    for sd in offering.service.service_documents.select_related("document"):
        code = sd.document.code
        if sd.copies == 0:
            continue  # the manual asks for no copy: nothing to declare
        if code in LINKAGE_DOCS and kind in ("bkk", "district"):
            values = {
                "status": CopyStatus.NO_COPY,
                "copies": 0,
                "no_copy_since": NO_COPY_SINCE,
                "verify_th": "เจ้าหน้าที่อ่านข้อมูลจากบัตรสมาร์ทการ์ดและตรวจสอบผ่านระบบ Linkage Center "
                "ของกรมการปกครอง ไม่ต้องใช้สำเนา",
                "verify_en": "The officer reads the smart ID card and checks the DOPA Linkage "
                "Center; no photocopy needed",
                "reason_th": "",
                "reason_en": "",
            }
        elif code == "ID_CARD" and sp.code == "dlt-cmi":
            values = {
                "status": CopyStatus.NO_COPY,
                "copies": 0,
                "no_copy_since": date(2023, 3, 1),
                "verify_th": "(ข้อมูลตัวอย่าง) เจ้าหน้าที่อ่านข้อมูลจากบัตรสมาร์ทการ์ด",
                "verify_en": "(demo) The officer reads the smart ID card",
                "reason_th": "",
                "reason_en": "",
            }
        elif code == "POWER_OF_ATTORNEY":
            values = {
                "status": CopyStatus.COPY_REQUIRED,
                "copies": 1,
                "no_copy_since": None,
                "reason_th": "ผู้รับมอบอำนาจต้องแนบสำเนาบัตรประจำตัวประชาชนของผู้มอบอำนาจที่ลงนามรับรองแล้ว",
                "reason_en": "A proxy brings a signed copy of the grantor's ID card",
                "verify_th": "",
                "verify_en": "",
            }
        else:
            values = {
                "status": CopyStatus.COPY_REQUIRED,
                "copies": sd.copies,
                "no_copy_since": None,
                "reason_th": "(ข้อมูลตัวอย่าง) สำนักงานต้องเก็บสำเนาที่ลงนามรับรองไว้เป็นหลักฐาน",
                "reason_en": "(demo) The office keeps a signed copy on file",
                "verify_th": "",
                "verify_en": "",
            }
        _upsert(CopyStatus, {"offering": offering, "document": documents[code]}, values)


def _seed_users(agencies: dict[str, Agency], password: str | None) -> list[dict]:
    User = get_user_model()
    out = []
    for username, agency_code, first_name in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = first_name
        user.email = f"{username}@example.invalid"
        user.is_staff = True
        user.is_active = True
        user.is_superuser = agency_code is None
        secret = password or secrets.token_urlsafe(9)
        user.set_password(secret)
        user.save()
        if agency_code is None:
            Membership.objects.update_or_create(
                user=user, defaults={"agency": None, "is_central": True}
            )
        else:
            Membership.objects.update_or_create(
                user=user, defaults={"agency": agencies[agency_code], "is_central": False}
            )
        out.append(
            {
                "username": username,
                "password": secret,
                "agency": agency_code,
                "central": agency_code is None,
            }
        )
    return out


def _issue_codes(points: list[ServicePoint]) -> dict[int, tuple[str, object]]:
    out = {}
    for sp in points:
        for counter in sp.counters.all():
            row, code = fleet.issue_enrolment_code(counter)
            out[counter.pk] = (code, row.expires_at)
    return out
