"""The citizens' public page GET /services/<CODE>?sp=sp-000123 (what the kiosk's QR code
opens): no login, Thai and English, copy status in words, steps, fee, map pin."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import pytest
from django.test import Client

from central.catalogue.models import CopyStatus
from tests.central.helpers import enrol_kiosk


@pytest.fixture
def public() -> Client:
    return Client(raise_request_exception=True)


def _url(world, code="MOVE_IN", **params):
    query = "&".join(f"{k}={v}" for k, v in {"sp": world.sp.public_id, **params}.items())
    return f"/services/{code}?{query}"


def test_thai_page_for_a_service_at_a_service_point(public, world):
    response = public.get(_url(world))
    assert response.status_code == 200
    assert response["Content-Language"] == "th"
    assert "public" in response["Cache-Control"]
    text = response.text
    assert '<html lang="th">' in text
    # The Thai webfont from central's own static files (no inline <style>: the CSP).
    assert '<link rel="stylesheet" href="/static/cp/fonts.css">' in text
    assert 'name="viewport"' in text
    assert "บริการ MOVE_IN" in text and world.sp.name_th in text
    assert "20 บาท" in text and "15 นาที" in text
    assert "ขั้นตอน 1" in text and "ขั้นตอน 2" in text
    # HOUSE_REG: this office still asks for a copy, and says why.
    assert "นำสำเนามา 1 ฉบับ" in text and "เก็บสำเนา" in text
    # ID_CARD: no per-office status here: the manual's one copy.
    assert text.count("นำสำเนามา 1 ฉบับ") == 2
    assert "ข้อมูลตัวอย่าง" in text  # is_demo services say so


def test_no_copy_badge_in_words_with_how_the_office_checks(public, world):
    text = public.get(_url(world, "ID_RENEW")).text
    assert "ไม่ต้องใช้สำเนา" in text and "อ่านบัตร" in text and "1 ต.ค. 2564" in text
    assert "badge-ok" in text and "<svg" in text  # an icon and words, not colour alone
    english = public.get(_url(world, "ID_RENEW", lang="en")).text
    assert "No copy needed" in english and "Reads the smart card" in english
    assert "since 1 Oct 2021" in english


def test_english_page(public, world):
    response = public.get(_url(world, lang="en"))
    assert response.status_code == 200 and response["Content-Language"] == "en"
    text = response.text
    assert '<html lang="en">' in text
    assert "Move in" in text and world.sp.name_en in text and "20 baht" in text
    assert "Bring 1 copy" in text and "Kept on file" in text
    assert "Submit" in text and "Check" in text and "Rama I Road" in text
    assert "Rong Mueang, Pathum Wan, Bangkok" in text  # the area, in English
    assert f"?sp={world.sp.public_id}&amp;lang=th" in text  # the switch back to Thai


def test_map_pin_coordinates_and_links(public, world):
    text = public.get(_url(world)).text
    assert "13.746600, 100.523200" in text
    assert world.sp.map_url.replace("&", "&amp;") in text
    assert 'href="geo:13.746600,100.523200' in text
    assert 'href="tel:020000000"' in text


def test_service_point_id_forms(public, world):
    assert public.get(f"/services/MOVE_IN?sp={world.sp.pk}").status_code == 200
    assert public.get(f"/services/move_in?sp={world.sp.public_id}").status_code == 200
    assert public.get(f"/services/MOVE_IN/?sp={world.sp.public_id}").status_code == 200


def test_without_a_service_point_the_manual_is_shown(public, world):
    response = public.get("/services/MOVE_IN")
    assert response.status_code == 200
    assert "นำสำเนามา 1 ฉบับ" in response.text
    assert "geo:" not in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/services/NOPE?sp=sp-000001",
        "/services/MOVE_IN?sp=sp-999999",
        "/services/MOVE_IN?sp=sp-demo-1030",  # the bundled demo catalogue's id
        "/services/MOVE_IN?sp=%27%3B--",
    ],
)
def test_unknown_things_are_a_friendly_404(public, world, url):
    response = public.get(url)
    assert response.status_code == 404
    assert "ไม่พบข้อมูลบริการนี้" in response.text


def test_a_service_not_offered_there_is_a_404(public, world):
    response = public.get(f"/services/DL_RENEW?sp={world.sp.public_id}")
    assert response.status_code == 404 and world.sp.name_th in response.text


def test_only_get_and_head(public, world):
    assert public.head(_url(world)).status_code == 200
    assert public.post(_url(world)).status_code == 405


def test_the_catalogue_apis_public_url_opens_this_page(public, world):
    kiosk = enrol_kiosk(world.counter)
    body = Client().get("/api/v1/kiosk/catalogue", **kiosk.auth).json()
    for service in body["services"]:
        parts = urlsplit(service["public_url"])
        response = public.get(f"{parts.path}?{parts.query}")
        assert response.status_code == 200, service["public_url"]
        assert service["name_th"] in response.text


def test_page_follows_copy_status_changes(public, world):
    status = CopyStatus.objects.get(offering=world.offering_move_in)
    status.status, status.copies = CopyStatus.NO_COPY, 0
    status.no_copy_since = date(2025, 3, 1)
    status.verify_th, status.reason_th = "ตรวจผ่านระบบ", ""
    status.save()
    text = public.get(_url(world)).text
    assert "ตรวจผ่านระบบ" in text and "1 มี.ค. 2568" in text
    assert text.count("นำสำเนามา 1 ฉบับ") == 1  # only the ID card, per the manual


def test_a_note_is_shown_in_its_own_language_only(public, world):
    world.id_card.note_en = "Bring the card itself"
    world.id_card.save()
    assert "Bring the card itself" in public.get(_url(world, lang="en")).text
    assert "Bring the card itself" not in public.get(_url(world)).text
