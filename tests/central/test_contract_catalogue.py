"""The catalogue contract cannot drift: every catalogue central can produce is accepted by
the kiosk.

Hypothesis builds central data anywhere inside what central's models and admin forms allow
(tests/central/contract_data.py; every object passes ``full_clean``), central serves it
through the real endpoints (enrolment answer, full catalogue, then a delta after offerings
are withdrawn and a service renamed), and the kiosk's real storage (``KioskStore`` on a
SQLite file) applies each answer as the kiosk's sync client decodes it. The kiosk must
accept every one and then show exactly what central holds."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings

from central.catalogue.models import (
    CopyStatus,
    Document,
    Offering,
    Service,
    ServiceDocument,
    ServiceStep,
)
from central.directory.models import Agency, Counter, ServicePoint
from central.fleet import services as fleet
from kiosk.storage import KioskStore
from protocol import codec, models
from tests.central.contract_data import world

CONTRACT = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back():
    """Each example's central data lives in a savepoint that is rolled back after it."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def _clean_save(obj):
    obj.full_clean()  # inside what central's models allow, or the strategy is wrong
    obj.save()
    return obj


def build(data: dict) -> tuple[Counter, list[Offering]]:
    agency = _clean_save(Agency(code="contract", name_th="หน่วยงาน", name_en="Agency"))
    p = data["point"]
    sp = _clean_save(
        ServicePoint(
            agency=agency,
            code="contract-point",
            name_th=p["name_th"],
            name_en=p["name_en"],
            lat=p["lat"],
            lon=p["lon"],
            address_th=p["address_th"],
            address_en=p["address_en"],
            province_code=p["sub"][:2],
            district_code=p["sub"][:4],
            subdistrict_code=p["sub"],
            hours_th=p["hours_th"],
            hours_en=p["hours_en"],
            phone=p["phone"],
        )
    )
    counters = [_clean_save(Counter(service_point=sp, **c)) for c in data["counters"]]
    docs = [_clean_save(Document(**d)) for d in data["documents"]]
    offerings = []
    for i, s in enumerate(data["services"]):
        fields = {k: v for k, v in s.items() if k not in ("steps", "documents")}
        service = _clean_save(Service(agency=agency, **fields))
        for st in s["steps"]:
            _clean_save(ServiceStep(service=service, **st))
        service_docs = []
        for position, (doc_index, originals, copies) in enumerate(s["documents"]):
            service_docs.append(
                _clean_save(
                    ServiceDocument(
                        service=service,
                        document=docs[doc_index],
                        order=position,
                        originals=originals,
                        copies=copies,
                    )
                )
            )
        offering = _clean_save(Offering(service_point=sp, service=service))
        if data["on_counter"][i]:
            offering.counters.add(counters[0])
        for sd, status in zip(service_docs, data["statuses"][i], strict=True):
            if status is not None:
                _clean_save(CopyStatus(offering=offering, document=sd.document, **status))
        offerings.append(offering)
    return counters[0], offerings


def kiosk_view(store: KioskStore) -> dict:
    sp = store.service_point()
    return {
        "point": (sp.id, sp.name_th, sp.name_en, sp.lat, sp.lon, sp.counter_name_th),
        "services": {
            s.code: (
                s.name_th,
                s.fee_th,
                tuple(st.order for st in s.steps),
                tuple((d.code, d.copy_status, d.copies) for d in s.documents),
            )
            for s in store.all_services()
        },
        "counter": [s.code for s in store.counter_services()],
    }


def central_view(counter: Counter) -> dict:
    counter.refresh_from_db()
    sp = counter.service_point
    offered = Offering.objects.filter(service_point=sp).select_related("service")
    services = {}
    for o in offered:
        svc = o.service
        statuses = {cs.document_id: cs for cs in o.copy_statuses.all()}
        docs = []
        for sd in svc.service_documents.select_related("document").order_by("order", "id"):
            cs = statuses.get(sd.document_id)
            if cs is None:
                status = "copy_required" if sd.copies else "no_copy"
                docs.append((sd.document.code, status, sd.copies))
            else:
                docs.append((sd.document.code, cs.status, cs.copies))
        services[svc.code] = (
            svc.name_th,
            svc.fee_th,
            tuple(sorted(st.order for st in svc.steps.all())),
            tuple(docs),
        )
    default = sorted(o.service.code for o in offered if o.counters.filter(pk=counter.pk))
    return {
        "point": (sp.public_id, sp.name_th, sp.name_en, sp.lat, sp.lon, counter.name_th),
        "services": services,
        "counter": default or None,
    }


def same(store: KioskStore, counter: Counter) -> None:
    kiosk, central = kiosk_view(store), central_view(counter)
    assert kiosk["point"] == central["point"]
    assert kiosk["services"] == central["services"]
    if central["counter"] is not None:
        assert kiosk["counter"] == central["counter"]
    else:  # no default list: every service, in Thai name order
        assert sorted(kiosk["counter"]) == sorted(central["services"])


def _apply(store: KioskStore, body: bytes, model=models.Catalogue):
    """What the kiosk's sync client and storage do with central's answer."""
    answer = codec.decode(body, model)
    catalogue = answer.catalogue if model is models.EnrollResponse else answer
    store.apply_catalogue(catalogue)  # raises ValueError if the kiosk refuses it
    return answer


@pytest.mark.django_db
@CONTRACT
@given(data=world())
def test_every_catalogue_central_can_produce_is_applied_by_the_kiosk(api, data):
    with rolled_back(), tempfile.TemporaryDirectory() as tmp:
        counter, offerings = build(data)
        _, code = fleet.issue_enrolment_code(counter)
        enrolled = api.post(
            "/api/v1/kiosks/enroll",
            {"code": code, "app_version": "contract"},
            content_type="application/json",
        )
        assert enrolled.status_code == 201, enrolled.content
        with KioskStore.open(Path(tmp) / "kiosk") as store:
            answer = _apply(store, enrolled.content, models.EnrollResponse)
            same(store, counter)
            auth = {"HTTP_AUTHORIZATION": f"Bearer {answer.credential}"}

            full = api.get("/api/v1/kiosk/catalogue", **auth)
            assert full.status_code == 200
            cursor = _apply(store, full.content).cursor
            same(store, counter)

            # Central changes: offerings withdrawn, services renamed. The delta applies.
            for offering, withdrawn, renamed in zip(
                offerings, data["withdrawn"], data["renamed"], strict=True
            ):
                if withdrawn:
                    offering.delete()
                elif renamed is not None:
                    offering.service.name_th = renamed
                    _clean_save(offering.service)
            delta = api.get("/api/v1/kiosk/catalogue", {"since": cursor}, **auth)
            assert delta.status_code == 200
            applied = _apply(store, delta.content)
            assert applied.full is False
            same(store, counter)
