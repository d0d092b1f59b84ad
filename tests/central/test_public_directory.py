"""The citizens' directory (central/public): search, near me, a service point's page with
its published results, caching, and what must never be public."""

from __future__ import annotations

import json
import random
import re
import uuid
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from central.catalogue.models import CopyStatus, Offering
from central.directory.models import ServicePoint
from central.public import search
from central.ratings.models import Rating
from tests.central.helpers import enrol_kiosk, make_point


@pytest.fixture
def public() -> Client:
    caches["default"].clear()
    return Client(raise_request_exception=True)


def _jsonld(text: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    return [json.loads(b) for b in blocks]


def _rate(kiosk, service, n, score, asked=None, comment=None, days_ago=1, flag=False):
    now = timezone.now() - timedelta(days=days_ago)
    Rating.objects.bulk_create(
        Rating(
            uuid=uuid.uuid4(),
            kiosk=kiosk,
            service_point=kiosk.counter.service_point,
            counter=kiosk.counter,
            service=service,
            score=score,
            asked_for_copy=asked,
            comment=comment,
            kiosk_time=now,
            kiosk_seq=i,
            received_at=now,
            rated_at=now,
            skew_seconds=0,
            interval_flag=flag,
            batch_id=uuid.uuid4(),
        )
        for i in range(n)
    )


# -- search ----------------------------------------------------------------------------


def test_search_by_name_in_thai_and_english(public, world):
    text = public.get("/directory/?q=สำนักงาน").text
    assert "ผลการค้นหา: 2 แห่ง" in text
    assert world.sp.name_th in text and world.dlt_sp.name_th in text
    english = public.get("/directory/?q=office+bkk-path&lang=en").text
    assert "Results: 1 office<" in english and world.sp.name_en in english
    assert world.dlt_sp.name_en not in english


def test_search_by_area_and_service(public, world):
    # sp is in Pathum Wan (1007), dlt_sp in Chatuchak (1030)
    text = public.get("/directory/?province=10&district=1007").text
    assert world.sp.name_th in text and world.dlt_sp.name_th not in text
    assert '<option value="1007" selected>' in text  # the district list follows the province
    text = public.get("/directory/?service=DL_RENEW").text
    assert world.dlt_sp.name_th in text and world.sp.name_th not in text
    assert "ผลการค้นหา: 1 แห่ง" in text


def test_search_results_list_first_then_map_pins(public, world):
    text = public.get("/directory/?province=10").text
    assert text.index('id="results"') < text.index('id="map"')
    assert f'data-lat="{world.sp.lat:.6f}"' in text
    assert f'href="/directory/{world.sp.public_id}"' in text
    ld = _jsonld(text)[0]
    assert ld["@type"] == "ItemList"
    assert {i["item"]["@type"] for i in ld["itemListElement"]} == {"GovernmentOffice"}


def test_inactive_points_and_draft_services_are_not_public(public, world):
    world.dlt_sp.is_active = False
    world.dlt_sp.save()
    world.dl_renew.is_published = False
    world.dl_renew.save()
    text = public.get("/directory/?q=สำนักงาน").text
    assert world.dlt_sp.name_th not in text and "ผลการค้นหา: 1 แห่ง" in text
    assert "DL_RENEW" not in text  # not in the service list either
    assert public.get(f"/directory/{world.dlt_sp.public_id}").status_code == 404
    assert public.get("/directory/?service=DL_RENEW").status_code == 400
    # the kiosk's QR page follows the same rule
    assert public.get(f"/services/DL_RENEW?sp={world.dlt_sp.public_id}").status_code == 404
    near = public.get("/directory/near?lat=13.81&lon=100.56").text
    assert world.dlt_sp.name_th not in near and world.sp.name_th in near


@pytest.mark.parametrize(
    "query, name",
    [
        ("province=99", "province"),
        ("province=10&district=5001", "district"),
        ("district=1007", "district"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=%EF%BC%91", "page"),  # a full-width digit
        ("service=NOPE", "service"),
        ("service=%27%3B--", "service"),
    ],
)
def test_malformed_search_parameters_are_a_400_saying_which(public, world, query, name):
    response = public.get(f"/directory/?{query}")
    assert response.status_code == 400
    assert f"<code>{name}</code>" in response.text


def test_hostile_text_is_harmless(public, world):
    response = public.get("/directory/?q=" + "%3Cscript%3E%E2%80%AE%C2%B2" * 50)
    assert response.status_code == 200
    assert "<script>" not in response.text
    # a NUL byte anywhere in a URL is refused before any view (central's hardening)
    assert public.get("/directory/?q=a%00b").status_code == 400
    assert public.post("/directory/").status_code == 405


def test_paging(public, world):
    for i in range(25):
        make_point(f"extra-{i}", world.bkk)
    first = public.get("/directory/?province=10").text
    assert "ผลการค้นหา: 27 แห่ง" in first and "หน้า 1 / 2" in first
    second = public.get("/directory/?province=10&page=2").text
    assert "หน้า 2 / 2" in second and second.count('class="result"') == 7


def test_a_search_that_matches_too_much_asks_to_narrow_it(public, world, monkeypatch):
    monkeypatch.setattr(search, "MAX_RESULTS", 20)
    for i in range(25):
        make_point(f"many-{i}", world.bkk)
    text = public.get("/directory/?q=office&lang=en").text
    assert "Results: 20+ offices" in text and "Too many offices match" in text
    assert text.count('class="result"') == 20
    text = public.get("/directory/?province=10&lang=en").text
    assert "Results: 20+ offices" in text and "Too many offices match" in text


# -- near me ---------------------------------------------------------------------------


def test_near_me_ranks_by_distance_with_distances(public, world):
    # from Chatuchak: the DLT office (1 km) before the Pathum Wan office (9.5 km)
    text = public.get("/directory/near?lat=13.8128&lon=100.5600").text
    assert text.index(world.dlt_sp.name_th) < text.index(world.sp.name_th)
    assert "0.2 กม." in text
    only = public.get("/directory/near?lat=13.8128&lon=100.5600&service=ID_RENEW").text
    assert world.dlt_sp.name_th not in only and world.sp.name_th in only


def test_near_a_typed_place(public, world):
    text = public.get("/directory/near?place=ปทุมวัน&service=MOVE_IN").text
    assert "ใกล้ เขตปทุมวัน" in text and world.sp.name_th in text
    english = public.get("/directory/near?place=Pathum+Wan&lang=en").text
    assert "near Pathum Wan" in english
    assert "We do not know this place" in public.get("/directory/near?place=xyzzy&lang=en").text


@pytest.mark.parametrize("query", ["lat=91&lon=100", "lat=nan&lon=1", "lat=13", "lon=1e999"])
def test_near_bad_coordinates_are_a_400(public, world, query):
    assert public.get(f"/directory/near?{query}").status_code == 400


def test_nearest_is_exact_against_brute_force(world):
    rng = random.Random(7)
    ServicePoint.objects.bulk_create(
        ServicePoint(
            agency=world.bkk,
            code=f"r{i}",
            name_th=f"จุด {i}",
            name_en=f"P{i}",
            lat=rng.uniform(5.6, 20.4),
            lon=rng.uniform(97.4, 105.6),
            address_th="x",
            province_code="10",
            district_code="1007",
            subdistrict_code="100701",
        )
        for i in range(600)
    )
    everything = list(ServicePoint.objects.filter(is_active=True).values_list("id", "lat", "lon"))
    for _ in range(20):
        lat, lon = rng.uniform(6, 20), rng.uniform(98, 105)
        got = [n.point.pk for n in search.nearest(lat, lon, None, 10)]
        want = sorted(everything, key=lambda r: search.haversine_km(lat, lon, r[1], r[2]))[:10]
        assert got == [r[0] for r in want]


# -- a service point's page ------------------------------------------------------------


def test_point_page_shows_what_the_kiosk_shows(public, world):
    response = public.get(f"/directory/{world.sp.public_id}")
    assert response.status_code == 200 and response["Content-Language"] == "th"
    text = response.text
    assert world.sp.name_th in text and "ถนนพระราม 1" in text and "จันทร์–ศุกร์" in text
    assert 'href="tel:020000000"' in text
    assert "google.com/maps/dir/?api=1&amp;destination=13.746600,100.523200" in text
    assert 'href="geo:13.746600,100.523200' in text
    assert "บริการ ID_RENEW" in text and "บริการ MOVE_IN" in text
    assert "บริการ DL_RENEW" not in text  # offered elsewhere only
    # documents with the office's copy status, as the kiosk shows them
    assert "ไม่ต้องใช้สำเนา" in text and "อ่านบัตร" in text and "1 ต.ค. 2564" in text
    assert "นำสำเนามา 1 ฉบับ" in text and "เก็บสำเนา" in text
    assert "ขั้นตอน 1" in text and "20 บาท" in text and "15 นาที" in text
    english = public.get(f"/directory/{world.sp.public_id}?lang=en").text
    assert "No copy needed" in english and "Reads the smart card" in english
    assert "Bring 1 copy" in english and "Directions" in english


def test_point_page_json_ld(public, world):
    ld = _jsonld(public.get(f"/directory/{world.sp.public_id}").text)[0]
    assert ld["@type"] == "GovernmentOffice" and ld["name"] == world.sp.name_th
    assert ld["geo"]["latitude"] == world.sp.lat and ld["telephone"] == world.sp.phone
    services = [offer["itemOffered"] for offer in ld["makesOffer"]]
    assert {s["@type"] for s in services} == {"GovernmentService"}
    assert {s["identifier"] for s in services} == {"ID_RENEW", "MOVE_IN"}
    assert services[0]["availableChannel"]["serviceLocation"]["@id"] == ld["@id"]
    # and the kiosk's QR page carries a GovernmentService
    qr = _jsonld(public.get(f"/services/ID_RENEW?sp={world.sp.public_id}").text)[0]
    assert qr["@type"] == "GovernmentService"
    assert qr["availableChannel"]["serviceLocation"]["@type"] == "GovernmentOffice"


def test_json_ld_cannot_be_broken_out_of(public, world):
    world.sp.name_th = "</script><script>alert(1)</script>"
    world.sp.save()
    text = public.get(f"/directory/{world.sp.public_id}").text
    assert "<script>alert(1)" not in text
    assert _jsonld(text)[0]["name"] == world.sp.name_th


@pytest.mark.parametrize("path", ["sp-999999", "sp-000000000001x", "1", "sp-"])
def test_unknown_points_are_404(public, world, path):
    assert public.get(f"/directory/{path}").status_code == 404


def test_results_below_the_minimum_say_not_enough(public, world, settings):
    settings.CP_PUBLIC_MIN_RATINGS = 5
    kiosk = enrol_kiosk(world.counter).kiosk
    _rate(kiosk, world.id_renew, 4, 5, comment="SECRETCOMMENT")
    text = public.get(f"/directory/{world.sp.public_id}").text
    assert "ยังมีคะแนนไม่พอที่จะสรุปผล" in text
    assert "SECRETCOMMENT" not in text and "4 คะแนน" not in text


def test_published_results_counts_score_and_no_copy_compliance(public, world, settings):
    settings.CP_PUBLIC_MIN_RATINGS = 5
    kiosk = enrol_kiosk(world.counter).kiosk
    # ID_RENEW needs no copy at this office: 2 of 8 answers say a copy was asked for
    _rate(kiosk, world.id_renew, 6, 5, asked=False, comment="SECRETCOMMENT")
    _rate(kiosk, world.id_renew, 2, 2, asked=True)
    _rate(kiosk, world.id_renew, 3, 1, flag=True)  # a burst: left out
    _rate(kiosk, world.id_renew, 9, 1, days_ago=91)  # older than 90 days: left out
    # MOVE_IN still needs a copy of the house registration: no compliance figure
    _rate(kiosk, world.move_in, 5, 4, asked=True)
    response = public.get(f"/directory/{world.sp.public_id}?lang=en")
    text = response.text
    assert "SECRETCOMMENT" not in text and kiosk.public_id not in text
    overall, id_renew, move_in = re.findall(r'<div class="figures">(.*?)</div>', text, re.S)[:3]
    assert "85%" in overall and "13 ratings" in overall  # (6 + 5) of 13 are 4-5
    assert re.search(r"5 · Very satisfied</th><td class=\"num\">6<", overall)
    assert re.search(r"4 · Satisfied</th><td class=\"num\">5<", overall)
    assert "75%" in id_renew and "8 ratings" in id_renew
    assert "100%" in move_in
    compliance = re.findall(r'<div class="compliance">(.*?)</div>', text, re.S)
    assert len(compliance) == 2  # the office (its no-copy services) and ID_RENEW
    assert all("25%" in c and "8 answers" in c for c in compliance)


def test_point_page_caching_and_validators(public, world):
    url = f"/directory/{world.sp.public_id}"
    first = public.get(url)
    assert "public" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    etag, modified = first["ETag"], first["Last-Modified"]
    again = public.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert public.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # an edit shows at once (the server-side copy is keyed by the data) with a new ETag
    status = CopyStatus.objects.get(offering=world.offering_id_renew)
    status.verify_th = "ตรวจผ่านระบบใหม่"
    status.save()
    changed = public.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "ตรวจผ่านระบบใหม่" in changed.text
    assert changed["ETag"] != etag
    Offering.objects.filter(pk=world.offering_move_in.pk).delete()
    assert "บริการ MOVE_IN" not in public.get(url).text
    search_page = public.get("/directory/?province=10")
    assert (
        public.get("/directory/?province=10", HTTP_IF_NONE_MATCH=search_page["ETag"]).status_code
        == 304
    )


def test_no_inline_script_or_style_for_the_csp(public, world):
    for url in (
        "/directory/",
        "/directory/?province=10",
        "/directory/near?place=ปทุมวัน",
        f"/directory/{world.sp.public_id}",
        f"/services/ID_RENEW?sp={world.sp.public_id}",
        "/directory/sp-999999",
    ):
        text = public.get(url).text
        assert "<style" not in text and " style=" not in text, url
        for tag in re.findall(r"<script[^>]*>", text):
            assert 'type="application/ld+json"' in tag or " src=" in tag, (url, tag)
        assert "/static/cp/fonts.css" in text, url
