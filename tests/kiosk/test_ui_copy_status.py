"""The copy status a citizen sees is the one in the catalogue, for every service."""

from __future__ import annotations

from kiosk.ui.i18n import tr
from kiosk.ui.screens.service import DocumentCard, copy_badge_text
from tests.kiosk.conftest import find, show, tap


def test_every_document_badge_matches_the_catalogue(window, qtbot, store):
    services = store.all_services()
    store.set_counter_services([s.code for s in services])
    seen = set()
    for svc in services:
        show(qtbot, window, "services")
        tap(qtbot, find(window, f"service_{svc.code}"))
        cards = [c for c in window.findChildren(DocumentCard) if c.isVisible()]
        assert [c.doc.code for c in cards] == [d.code for d in svc.documents]
        for card, doc in zip(cards, svc.documents, strict=True):
            # the card draws its own words: it is given all the height they need
            assert card.height() >= card.heightForWidth(card.width()), doc.code
            badge = card.badge
            assert badge.property("copy_status") == doc.copy_status
            assert badge.text() == copy_badge_text(doc, "th")
            if doc.copy_status == "no_copy":
                key = "badge_no_copy" if doc.no_copy_since else "badge_no_copy_plain"
                assert badge.text() == tr(key, "th")
                assert badge.property("role") == "badge_no_copy"
            else:
                assert str(doc.copies) in badge.text()
                assert badge.property("role") == "badge_copy"
            seen.add(doc.copy_status)
    assert seen == {"no_copy", "copy_required"}, "the demo has both statuses"


def test_a_catalogue_change_shows_on_the_next_visit(window, qtbot, store):
    svc = next(
        s
        for s in store.all_services()
        if any(d.copy_status == "copy_required" for d in s.documents)
    )
    store.set_counter_services([svc.code])
    payload = {
        "cursor": "test-2",
        "full": False,
        "service_point": store_service_point_payload(store),
        "counter": store_counter_payload(store),
        "services": [service_payload(svc, no_copy=True)],
    }
    store.apply_catalogue(payload)
    show(qtbot, window, "service", code=svc.code)
    statuses = {
        c.badge.property("copy_status") for c in window.findChildren(DocumentCard) if c.isVisible()
    }
    assert statuses == {"no_copy"}


def store_service_point_payload(store) -> dict:
    sp = store.service_point()
    return {
        "id": sp.id,
        "name_th": sp.name_th,
        "name_en": sp.name_en,
        "address_th": sp.address_th,
        "address_en": sp.address_en,
        "lat": sp.lat,
        "lon": sp.lon,
        "province_code": "10",
        "district_code": "1030",
        "subdistrict_code": "103001",
        "hours_th": sp.hours_th,
        "hours_en": sp.hours_en,
        "phone": sp.phone,
        "map_url": sp.map_url,
    }


def store_counter_payload(store) -> dict:
    sp = store.service_point()
    return {
        "id": sp.counter_id,
        "name_th": sp.counter_name_th,
        "name_en": sp.counter_name_en,
        "service_codes": [s.code for s in store.counter_services()],
    }


def service_payload(svc, *, no_copy: bool) -> dict:
    return {
        "code": svc.code,
        "version": 99,
        "deleted": False,
        "name_th": svc.name_th,
        "name_en": svc.name_en,
        "agency_th": svc.agency_th,
        "agency_en": svc.agency_en,
        "fee_amount": svc.fee_amount,
        "fee_th": svc.fee_th,
        "fee_en": svc.fee_en,
        "total_minutes": svc.total_minutes,
        "legal_basis_th": svc.legal_basis_th,
        "legal_basis_en": svc.legal_basis_en,
        "channels_th": svc.channels_th,
        "channels_en": svc.channels_en,
        "complaint_th": svc.complaint_th,
        "complaint_en": svc.complaint_en,
        "public_url": svc.public_url,
        "demo": svc.demo,
        "steps": [
            {"order": s.order, "title_th": s.title_th, "title_en": s.title_en, "minutes": s.minutes}
            for s in svc.steps
        ],
        "documents": [
            {
                "code": d.code,
                "name_th": d.name_th,
                "name_en": d.name_en,
                "originals": d.originals,
                "copies": 0 if no_copy else d.copies,
                "copy_status": "no_copy" if no_copy else d.copy_status,
                "no_copy_since": "2026-11-01" if no_copy else d.no_copy_since,
                "reason_th": "" if no_copy else d.reason_th,
                "reason_en": "" if no_copy else d.reason_en,
                "verify_th": "ตรวจสอบผ่านระบบ",
                "verify_en": "checked online",
            }
            for d in svc.documents
        ],
    }


def test_an_open_service_screen_redraws_when_sync_brings_a_new_catalogue(window, qtbot, store):
    svc = next(
        s
        for s in store.all_services()
        if any(d.copy_status == "copy_required" for d in s.documents)
    )
    store.set_counter_services([svc.code])
    show(qtbot, window, "service", code=svc.code)
    window.sync._set_state(catalogue_version=store.catalogue_version())  # what the kiosk has
    store.apply_catalogue(
        {
            "cursor": "test-3",
            "full": False,
            "service_point": store_service_point_payload(store),
            "counter": store_counter_payload(store),
            "services": [service_payload(svc, no_copy=True)],
        }
    )
    window.sync._set_state(catalogue_version="test-3")  # as the sync thread reports it
    qtbot.wait(1)
    assert window.current_screen().name == "service"
    cards = [c for c in window.findChildren(DocumentCard) if c.isVisible()]
    assert {c.badge.property("copy_status") for c in cards} == {"no_copy"}
