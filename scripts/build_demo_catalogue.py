#!/usr/bin/env python3
"""Build resources/demo_catalogue.json, the catalogue a kiosk runs on before its first sync.

    python scripts/build_demo_catalogue.py [SOURCE_DIR] [--out FILE] [--check]

SOURCE_DIR holds services.csv and documents.csv (default: ../shared/catalogue next to the
repository). The output is a full catalogue payload of docs/sync-protocol.md (cursor
"demo-1") for one demo service point, the Chatuchak District Office in Bangkok, whose
civil-registration counter offers the DOPA services; every one of the 35 services is in
the payload so staff can pick others.

Steps, times, fees, legal basis and per-document copy rules are DEMO values written
here (every service says "demo": true), not the official Citizen's Manual. The address
and coordinates are approximate demo values too. The output is deterministic: the same
CSVs always give the same bytes. ``--check`` fails if the file on disk is out of date.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "catalogue"
DEFAULT_OUT = REPO / "resources" / "demo_catalogue.json"

CURSOR = "demo-1"
SP_ID = "sp-demo-1030"
LAT, LON = 13.8226, 100.5697  # approximate, inside Chan Kasem subdistrict (demo)

SERVICE_POINT = {
    "id": SP_ID,
    "name_th": "สำนักงานเขตจตุจักร",
    "name_en": "Chatuchak District Office",
    "address_th": "ถนนพหลโยธิน แขวงจันทรเกษม เขตจตุจักร กรุงเทพมหานคร 10900",
    "address_en": "Phahonyothin Road, Chan Kasem, Chatuchak, Bangkok 10900",
    "lat": LAT,
    "lon": LON,
    # DOPA codes (checked against the geothai package): Bangkok / Chatuchak / Chan Kasem.
    "province_code": "10",
    "district_code": "1030",
    "subdistrict_code": "103003",
    "hours_th": "จันทร์–ศุกร์ 08:30–15:30 น. (เว้นวันหยุดราชการ)",
    "hours_en": "Mon–Fri 08:30–15:30 (closed on public holidays)",
    "phone": "1555",  # the Bangkok Metropolitan Administration call centre
    "map_url": f"https://www.openstreetmap.org/?mlat={LAT}&mlon={LON}#map=18/{LAT}/{LON}",
}

COUNTER = {
    "id": "ct-demo-1030-01",
    "name_th": "งานทะเบียนราษฎรและบัตร",
    "name_en": "Civil registration and ID cards",
}
# The civil-registration counter's services (DOPA), most asked-for first.
COUNTER_CODES = [
    "ID_RENEW",
    "ID_LOST",
    "ID_FIRST",
    "MOVE_IN",
    "MOVE_OUT",
    "BIRTH",
    "DEATH",
    "MARRIAGE",
    "DIVORCE",
    "NAME_CHANGE",
    "SURNAME_CHANGE",
    "HOUSE_NUMBER",
]

NO_COPY_SINCE = "2021-10-01"  # DOPA letter มท 0309.4/ว 25043 (October 2021)
LINKAGE_TH = "เจ้าหน้าที่อ่านบัตรสมาร์ทการ์ด/ตรวจสอบผ่านศูนย์ Linkage"
LINKAGE_EN = "We read your smart ID card and check the DOPA Linkage Center"

NO_FEE = ("0.00", "ไม่มีค่าธรรมเนียม", "No fee")


def fee(amount: str, th: str | None = None, en: str | None = None) -> tuple[str, str, str]:
    baht = f"{Decimal(amount):,.0f}"
    return amount, th or f"{baht} บาท", en or f"{baht} baht"


FEES = {
    "ID_LOST": fee("20.00"),
    "NAME_CHANGE": fee("50.00"),
    "SURNAME_CHANGE": fee("100.00"),
    "PASSPORT_NEW": fee("1000.00", "1,000 บาท (เล่มอายุ 5 ปี)", "1,000 baht (5-year passport)"),
    "DL_RENEW": fee(
        "505.00",
        "505 บาท (ค่าใบอนุญาต 500 บาท ค่าคำขอ 5 บาท)",
        "505 baht (500 baht licence, 5 baht application)",
    ),
    "DL_FIRST": fee(
        "205.00",
        "205 บาท (ค่าใบอนุญาต 200 บาท ค่าคำขอ 5 บาท)",
        "205 baht (200 baht licence, 5 baht application)",
    ),
    "IDP": fee("505.00"),
    "VEHICLE_TAX": (
        "0.00",
        "ไม่มีค่าธรรมเนียม (ชำระเฉพาะภาษีรถตามประเภทและขนาดรถ)",
        "No fee (you pay only the vehicle tax, which depends on the vehicle)",
    ),
    "VEHICLE_TRANSFER": fee(
        "100.00",
        "ค่าธรรมเนียมโอน 100 บาท และค่าอากรแสตมป์ตามราคารถ",
        "100 baht transfer fee, plus stamp duty on the vehicle's value",
    ),
    "COMMERCIAL_REG": fee("50.00"),
    "COMPANY_REG": fee(
        "5500.00",
        "ตั้งแต่ 5,500 บาท ตามทุนจดทะเบียน",
        "From 5,500 baht, depending on the registered capital",
    ),
    "BUILDING_PERMIT": fee(
        "20.00",
        "ค่าใบอนุญาต 20 บาท และค่าตรวจแบบตามพื้นที่อาคาร",
        "20 baht permit, plus a plan-check fee by floor area",
    ),
    "LAND_SALE": fee(
        "5.00",
        "ค่าคำขอ 5 บาท ค่าธรรมเนียมโอนร้อยละ 2 ของราคาประเมิน และภาษีอากรตามกฎหมาย",
        "5 baht application, a transfer fee of 2% of the appraised value, plus taxes",
    ),
    "LAND_SURVEY": fee(
        "5.00",
        "ค่าคำขอ 5 บาท และค่ารังวัดตามจำนวนแปลงและวันทำการ",
        "5 baht application, plus survey costs by plot and working days",
    ),
    "CRIMINAL_RECORD": fee("100.00"),
    "WORK_PERMIT": fee(
        "100.00",
        "ค่าคำขอ 100 บาท และค่าใบอนุญาตตามระยะเวลาที่ขอ",
        "100 baht application, plus a permit fee that depends on the period",
    ),
}

# (Thai, English, minutes at the service point); the total time is their sum.
STEPS = {
    "ID_FIRST": [
        ("ยื่นคำขอพร้อมสูติบัตรที่เคาน์เตอร์", "Hand in the request and birth certificate", 5),
        ("ถ่ายรูปและเก็บลายพิมพ์นิ้วมือ", "Photo and fingerprints are taken", 10),
        ("ตรวจสอบข้อมูลบนบัตรและรับบัตร", "Check the details on the card and collect it", 10),
    ],
    "ID_RENEW": [
        ("ยื่นบัตรเดิมที่เคาน์เตอร์", "Hand in your old card at the counter", 5),
        ("ถ่ายรูปและเก็บลายพิมพ์นิ้วมือ", "Photo and fingerprints are taken", 5),
        ("ตรวจสอบข้อมูลบนบัตรและรับบัตรใหม่", "Check the details and collect the new card", 5),
    ],
    "ID_LOST": [
        ("แจ้งว่าบัตรหายหรือถูกทำลาย", "Tell us the card was lost or destroyed", 5),
        ("ตรวจสอบตัวตนกับฐานข้อมูลทะเบียนราษฎร", "We confirm who you are in the registry", 10),
        ("ถ่ายรูป เก็บลายพิมพ์นิ้วมือ และรับบัตรใหม่", "Photo, fingerprints, new card", 10),
    ],
    "BIRTH": [
        ("ยื่นหนังสือรับรองการเกิดจากโรงพยาบาล", "Hand in the hospital's birth notification", 5),
        ("ตรวจสอบเอกสารและบันทึกการเกิด", "Documents are checked and the birth recorded", 15),
        ("รับสูติบัตร เพิ่มชื่อเด็กในทะเบียนบ้าน", "Collect the birth certificate", 10),
    ],
    "DEATH": [
        ("ยื่นหนังสือรับรองการตายจากโรงพยาบาล", "Hand in the hospital's death notification", 5),
        ("ตรวจสอบเอกสารและบันทึกการตาย", "Documents are checked and the death recorded", 15),
        ("รับมรณบัตร จำหน่ายชื่อออกจากทะเบียนบ้าน", "Collect the death certificate", 10),
    ],
    "MOVE_IN": [
        ("ยื่นคำร้องพร้อมความยินยอมของเจ้าบ้าน", "Hand in the request and the owner's consent", 5),
        ("ตรวจสอบข้อมูลผ่านศูนย์ Linkage", "Your details are checked via the Linkage Center", 10),
        ("เพิ่มชื่อในทะเบียนบ้าน", "You are added to the house registration", 5),
    ],
    "MOVE_OUT": [
        ("ยื่นคำร้องแจ้งย้ายออก", "Hand in the move-out request", 5),
        ("ตรวจสอบข้อมูลผ่านศูนย์ Linkage", "Your details are checked via the Linkage Center", 10),
        ("รับใบแจ้งการย้ายที่อยู่ (ท.ร.6)", "Collect the change-of-address form (Tor Ror 6)", 5),
    ],
    "HOUSE_NUMBER": [
        ("ยื่นคำร้องพร้อมเอกสารที่ดินและแบบแปลน", "Hand in the request, land papers and plans", 10),
        ("เจ้าหน้าที่นัดตรวจบ้าน (ภายใน 7 วัน)", "We visit the house (within 7 days)", 15),
        ("รับเลขที่บ้านและทะเบียนบ้าน", "Collect the house number and registration", 10),
    ],
    "MARRIAGE": [
        ("คู่สมรสและพยาน 2 คนยื่นคำร้อง", "The couple and two witnesses hand in the request", 10),
        ("นายทะเบียนตรวจสอบและสอบถามความยินยอม", "The registrar checks and asks for consent", 10),
        ("ลงนามและรับใบสำคัญการสมรส", "Sign and collect the marriage certificate", 10),
    ],
    "DIVORCE": [
        ("คู่หย่าและพยานยื่นคำร้อง", "Both spouses and witnesses hand in the request", 10),
        ("นายทะเบียนตรวจสอบความยินยอมของทั้งสองฝ่าย", "The registrar checks both consent", 15),
        ("ลงนามและรับใบสำคัญการหย่า", "Sign and collect the divorce certificate", 10),
    ],
    "NAME_CHANGE": [
        ("ยื่นคำขอเปลี่ยนชื่อตัว", "Hand in the name-change request", 5),
        ("นายทะเบียนตรวจสอบชื่อใหม่", "The registrar checks the new name", 15),
        ("รับหนังสือสำคัญแสดงการเปลี่ยนชื่อ", "Collect the name-change certificate", 10),
    ],
    "SURNAME_CHANGE": [
        ("ยื่นคำขอเปลี่ยนชื่อสกุล", "Hand in the surname-change request", 5),
        ("นายทะเบียนตรวจสอบชื่อสกุลใหม่", "The registrar checks the new surname", 20),
        ("รับหนังสือสำคัญแสดงการเปลี่ยนชื่อสกุล", "Collect the surname-change certificate", 10),
    ],
    "MILITARY_REG": [
        ("ยื่นเอกสารที่หน่วยสัสดีเขต", "Hand in the documents at the military affairs desk", 5),
        ("ตรวจสอบหลักฐานและลงบัญชีทหารกองเกิน", "Documents are checked and you are listed", 15),
        ("รับใบสำคัญทหารกองเกิน (สด.9)", "Collect the conscript certificate (Sor Dor 9)", 10),
    ],
    "PASSPORT_NEW": [
        ("รับบัตรคิวและยื่นเอกสาร", "Take a queue ticket and hand in the documents", 10),
        ("ถ่ายรูปและเก็บลายพิมพ์นิ้วมือ", "Photo and fingerprints are taken", 10),
        ("ชำระค่าธรรมเนียม", "Pay the fee", 5),
        ("รับเล่มตามวันนัดหรือทางไปรษณีย์", "Collect the passport on the given date or by post", 0),
    ],
    "DL_RENEW": [
        ("ยื่นคำขอพร้อมใบรับรองแพทย์", "Hand in the request and medical certificate", 5),
        ("อบรมต่ออายุใบอนุญาต", "Attend the renewal training", 60),
        ("ถ่ายรูปและรับใบอนุญาตใหม่", "Photo taken; collect the new licence", 10),
    ],
    "DL_FIRST": [
        ("ยื่นเอกสารและทดสอบสมรรถภาพร่างกาย", "Hand in documents; physical fitness tests", 30),
        ("อบรมภาคทฤษฎี", "Theory training", 300),
        ("สอบข้อเขียนและสอบขับรถ", "Written test and driving test", 90),
        ("ถ่ายรูปและรับใบอนุญาต", "Photo taken; collect the licence", 10),
    ],
    "IDP": [
        ("ยื่นคำขอพร้อมใบอนุญาตขับรถและหนังสือเดินทาง", "Hand in the request, licence, passport", 10),
        ("ชำระค่าธรรมเนียม", "Pay the fee", 5),
        ("รับใบอนุญาตขับรถระหว่างประเทศ", "Collect the international driving permit", 10),
    ],
    "VEHICLE_TAX": [
        ("ยื่นคู่มือจดทะเบียนรถและหลักฐานประกันภัย", "Hand in the vehicle book and insurance", 5),
        ("ชำระภาษีรถ", "Pay the vehicle tax", 5),
        ("รับเครื่องหมายการเสียภาษี (ป้ายวงกลม)", "Collect the tax disc", 5),
    ],
    "VEHICLE_TRANSFER": [
        ("ผู้โอนและผู้รับโอนยื่นเอกสาร", "Seller and buyer hand in the documents", 10),
        ("ตรวจหลักฐานและข้อมูลรถ", "Documents and vehicle records are checked", 20),
        ("ชำระค่าธรรมเนียมและรับคู่มือจดทะเบียน", "Pay the fee; collect the updated book", 15),
    ],
    "COMMERCIAL_REG": [
        ("ยื่นแบบคำขอจดทะเบียนพาณิชย์", "Hand in the commercial registration form", 10),
        ("ตรวจสอบเอกสาร", "Documents are checked", 15),
        ("ชำระค่าธรรมเนียมและรับใบทะเบียนพาณิชย์", "Pay the fee; collect the certificate", 10),
    ],
    "COMPANY_REG": [
        ("ตรวจและจองชื่อบริษัท", "Check and reserve the company name", 15),
        ("ยื่นหนังสือบริคณห์สนธิและคำขอจดทะเบียน", "File the memorandum and application", 30),
        ("ชำระค่าธรรมเนียมและรับหนังสือรับรอง", "Pay the fee; collect the certificate", 15),
    ],
    "PIT": [
        ("ยื่นแบบ ภ.ง.ด.90/91 พร้อมหลักฐาน", "Hand in form PND 90/91 and evidence", 10),
        ("ตรวจสอบแบบและคำนวณภาษี", "The form is checked and the tax worked out", 15),
        ("ชำระภาษี (ถ้ามี) และรับใบเสร็จ", "Pay any tax due; collect the receipt", 10),
    ],
    "VAT_REG": [
        ("ยื่นคำขอจดทะเบียน ภ.พ.01", "Hand in form Phor Phor 01", 10),
        ("ตรวจสอบเอกสารและสถานประกอบการ", "Documents and premises are checked", 20),
        ("รับใบทะเบียนภาษีมูลค่าเพิ่ม (ภ.พ.20)", "Collect the VAT certificate (Phor Phor 20)", 10),
    ],
    "UNEMPLOYMENT": [
        ("ขึ้นทะเบียนผู้ว่างงาน", "Register as unemployed", 10),
        ("ยื่นหนังสือรับรองการออกจากงานและบัญชีธนาคาร", "Hand in the employer form and bank", 10),
        ("รับวันนัดรายงานตัว", "Get your report-in dates", 5),
    ],
    "ELDERLY_ALLOWANCE": [
        ("ยื่นแบบคำขอลงทะเบียน", "Hand in the registration form", 10),
        ("ตรวจสอบคุณสมบัติ", "Eligibility is checked", 10),
        ("รับหลักฐานการลงทะเบียน", "Collect the proof of registration", 5),
    ],
    "DISABILITY_ALLOWANCE": [
        ("ยื่นแบบคำขอลงทะเบียน", "Hand in the registration form", 10),
        ("ตรวจสอบคุณสมบัติ", "Eligibility is checked", 10),
        ("รับหลักฐานการลงทะเบียน", "Collect the proof of registration", 5),
    ],
    "CHILD_GRANT": [
        ("ยื่นแบบคำร้อง ดร.01", "Hand in form Dor Ror 01", 10),
        ("ตรวจสอบคุณสมบัติ", "Eligibility is checked", 15),
        ("รับหลักฐานการลงทะเบียน", "Collect the proof of registration", 5),
    ],
    "BUILDING_PERMIT": [
        ("ยื่นคำขอ ข.1 พร้อมแบบแปลน", "Hand in form Khor 1 with the plans", 20),
        ("ตรวจแบบและพิจารณา (แจ้งผลภายใน 45 วัน)", "Plans are checked (answer within 45 days)", 0),
        ("รับใบอนุญาตก่อสร้าง", "Collect the building permit", 10),
    ],
    "LAND_SALE": [
        ("ยื่นคำขอจดทะเบียนพร้อมเอกสาร", "Hand in the request and documents", 20),
        ("ประเมินราคาและคำนวณค่าธรรมเนียม", "The value is appraised and the fees worked out", 30),
        ("ชำระเงินและลงนาม", "Pay and sign", 20),
        ("รับโฉนดที่จดทะเบียนแล้ว", "Collect the registered title deed", 10),
    ],
    "LAND_SURVEY": [
        ("ยื่นคำขอรังวัด", "Hand in the survey request", 15),
        ("ชำระค่าใช้จ่ายและรับวันนัดรังวัด", "Pay the costs; get a survey date", 15),
        ("รังวัดในที่ดินตามวันนัด", "The plot is surveyed on the given date", 0),
    ],
    "CRIMINAL_RECORD": [
        ("ยื่นคำร้องและเก็บลายพิมพ์นิ้วมือ", "Hand in the request; fingerprints are taken", 15),
        ("ชำระค่าธรรมเนียม", "Pay the fee", 5),
        ("รับหนังสือรับรองตามวันนัด", "Collect the certificate on the given date", 0),
    ],
    "LOST_DOC_REPORT": [
        ("แจ้งรายละเอียดเอกสารที่หาย", "Describe the lost documents", 10),
        ("เจ้าหน้าที่ลงบันทึกประจำวัน", "The officer records the report", 10),
        ("รับสำเนาบันทึกประจำวัน", "Collect the report extract", 5),
    ],
    "UHC_REG": [
        ("แสดงบัตรประจำตัวประชาชน", "Show your ID card", 5),
        ("ตรวจสอบสิทธิและเลือกหน่วยบริการ", "Rights are checked; choose your clinic", 10),
        ("รับหลักฐานการลงทะเบียน", "Collect the proof of registration", 5),
    ],
    "WORK_PERMIT": [
        ("ยื่นคำขอ ตท.3 พร้อมเอกสาร", "Hand in form Tor Tor 3 with the documents", 20),
        ("ตรวจสอบเอกสาร", "Documents are checked", 30),
        ("ชำระค่าธรรมเนียมและรับใบอนุญาตทำงาน", "Pay the fee; collect the work permit", 15),
    ],
    "FARMER_REG": [
        ("แจ้งข้อมูลการเพาะปลูกและที่ดิน", "Tell us what you grow and where", 15),
        ("บันทึกข้อมูลและนัดตรวจแปลง", "Details are recorded; a plot visit is booked", 15),
        ("รับสมุดทะเบียนเกษตรกร", "Collect the farmer registration book", 10),
    ],
}

_CIVIL = ("พระราชบัญญัติการทะเบียนราษฎร พ.ศ. 2534", "Civil Registration Act B.E. 2534 (1991)")
_ID = ("พระราชบัญญัติบัตรประจำตัวประชาชน พ.ศ. 2526", "Identification Card Act B.E. 2526 (1983)")
_FAMILY = (
    "ประมวลกฎหมายแพ่งและพาณิชย์ และพระราชบัญญัติจดทะเบียนครอบครัว พ.ศ. 2478",
    "Civil and Commercial Code; Family Registration Act B.E. 2478 (1935)",
)
_NAMES = ("พระราชบัญญัติชื่อบุคคล พ.ศ. 2505", "Personal Names Act B.E. 2505 (1962)")
_MOTOR = ("พระราชบัญญัติรถยนต์ พ.ศ. 2522", "Motor Vehicle Act B.E. 2522 (1979)")
_REVENUE = ("ประมวลรัษฎากร", "Revenue Code")
_LAND = ("ประมวลกฎหมายที่ดิน", "Land Code")
LEGAL_BASIS = {
    **dict.fromkeys(["ID_FIRST", "ID_RENEW", "ID_LOST"], _ID),
    **dict.fromkeys(["BIRTH", "DEATH", "MOVE_IN", "MOVE_OUT", "HOUSE_NUMBER"], _CIVIL),
    **dict.fromkeys(["MARRIAGE", "DIVORCE"], _FAMILY),
    **dict.fromkeys(["NAME_CHANGE", "SURNAME_CHANGE"], _NAMES),
    **dict.fromkeys(["DL_RENEW", "DL_FIRST", "IDP", "VEHICLE_TAX", "VEHICLE_TRANSFER"], _MOTOR),
    **dict.fromkeys(["PIT", "VAT_REG"], _REVENUE),
    **dict.fromkeys(["LAND_SALE", "LAND_SURVEY"], _LAND),
    "MILITARY_REG": ("พระราชบัญญัติรับราชการทหาร พ.ศ. 2497", "Military Service Act B.E. 2497 (1954)"),
    "PASSPORT_NEW": (
        "ระเบียบกระทรวงการต่างประเทศว่าด้วยการออกหนังสือเดินทาง",
        "Ministry of Foreign Affairs regulation on passports",
    ),
    "COMMERCIAL_REG": (
        "พระราชบัญญัติทะเบียนพาณิชย์ พ.ศ. 2499",
        "Commercial Registration Act B.E. 2499 (1956)",
    ),
    "COMPANY_REG": ("ประมวลกฎหมายแพ่งและพาณิชย์", "Civil and Commercial Code"),
    "UNEMPLOYMENT": ("พระราชบัญญัติประกันสังคม พ.ศ. 2533", "Social Security Act B.E. 2533 (1990)"),
    "ELDERLY_ALLOWANCE": ("พระราชบัญญัติผู้สูงอายุ พ.ศ. 2546", "Older Persons Act B.E. 2546 (2003)"),
    "DISABILITY_ALLOWANCE": (
        "พระราชบัญญัติส่งเสริมและพัฒนาคุณภาพชีวิตคนพิการ พ.ศ. 2550",
        "Persons with Disabilities Empowerment Act B.E. 2550 (2007)",
    ),
    "CHILD_GRANT": (
        "ระเบียบกรมกิจการเด็กและเยาวชนว่าด้วยเงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด",
        "Department of Children and Youth regulation on the newborn child support grant",
    ),
    "BUILDING_PERMIT": (
        "พระราชบัญญัติควบคุมอาคาร พ.ศ. 2522",
        "Building Control Act B.E. 2522 (1979)",
    ),
    "CRIMINAL_RECORD": (
        "ระเบียบสำนักงานตำรวจแห่งชาติว่าด้วยการตรวจสอบประวัติบุคคล",
        "Royal Thai Police regulation on background checks",
    ),
    "LOST_DOC_REPORT": (
        "ประมวลระเบียบการตำรวจเกี่ยวกับคดี",
        "Police case-handling regulations",
    ),
    "UHC_REG": (
        "พระราชบัญญัติหลักประกันสุขภาพแห่งชาติ พ.ศ. 2545",
        "National Health Security Act B.E. 2545 (2002)",
    ),
    "WORK_PERMIT": (
        "พระราชกำหนดการบริหารจัดการการทำงานของคนต่างด้าว พ.ศ. 2560",
        "Royal Ordinance on the Management of Foreign Workers B.E. 2560 (2017)",
    ),
    "FARMER_REG": (
        "ระเบียบกระทรวงเกษตรและสหกรณ์ว่าด้วยการขึ้นทะเบียนเกษตรกร",
        "Ministry of Agriculture regulation on farmer registration",
    ),
}

CHANNELS = (
    "ยื่นด้วยตนเองที่เคาน์เตอร์ของสำนักงานที่ให้บริการ ในวันและเวลาราชการ",
    "In person at the counter of the office that provides the service, during office hours",
)
CHANNELS_EXTRA = {
    "PIT": (" หรือยื่นทางอินเทอร์เน็ตที่ efiling.rd.go.th", ", or online at efiling.rd.go.th"),
    "COMPANY_REG": (" หรือจดทะเบียนทางอินเทอร์เน็ต (DBD e-Registration)", ", or online"),
}
COMPLAINT = (
    "ศูนย์ดำรงธรรม โทร. 1567 หรือสายด่วนรัฐบาล 1111",
    "Damrongdhama Centre (call 1567) or the government hotline 1111",
)


def no_copy(verify_th: str, verify_en: str, *, originals: int = 1, since: str | None = None):
    return {
        "originals": originals,
        "copies": 0,
        "copy_status": "no_copy",
        "no_copy_since": since,
        "reason_th": "ไม่ต้องใช้สำเนา",
        "reason_en": "No copy needed",
        "verify_th": verify_th,
        "verify_en": verify_en,
    }


def copy_required(reason_th: str, reason_en: str, *, copies: int = 1, originals: int = 1):
    return {
        "originals": originals,
        "copies": copies,
        "copy_status": "copy_required",
        "no_copy_since": None,
        "reason_th": reason_th,
        "reason_en": reason_en,
        "verify_th": "เจ้าหน้าที่ตรวจสำเนากับฉบับจริง",
        "verify_en": "We check the copy against the original",
    }


CHECK_RETURN = ("เจ้าหน้าที่ตรวจฉบับจริงแล้วคืนให้", "We check the original and hand it back")
KEEP_ORIGINAL = ("สำนักงานเก็บฉบับจริงไว้ ไม่ต้องถ่ายสำเนา", "We keep the original; no copy needed")

# What each document needs by default (copy status and counts).
DOCUMENT_RULES = {
    "ID_CARD": no_copy(LINKAGE_TH, LINKAGE_EN, since=NO_COPY_SINCE),
    "HOUSE_REG": no_copy(LINKAGE_TH, LINKAGE_EN, since=NO_COPY_SINCE),
    "WITNESS_ID": no_copy(
        "เจ้าหน้าที่อ่านบัตรสมาร์ทการ์ดของพยานทั้ง 2 คน/ตรวจสอบผ่านศูนย์ Linkage",
        "We read both witnesses' smart ID cards and check the DOPA Linkage Center",
        originals=2,
        since=NO_COPY_SINCE,
    ),
    "BIRTH_NOTICE": no_copy(*KEEP_ORIGINAL),
    "DEATH_NOTICE": no_copy(*KEEP_ORIGINAL),
    "BIRTH_CERT": no_copy(
        "เจ้าหน้าที่ตรวจฉบับจริงกับฐานข้อมูลทะเบียนราษฎรแล้วคืนให้",
        "We check the original against the civil registry and hand it back",
    ),
    "MARRIAGE_CERT": no_copy(
        "เจ้าหน้าที่ตรวจฉบับจริงกับข้อมูลทะเบียนครอบครัวแล้วคืนให้",
        "We check the original against the family register and hand it back",
    ),
    "HOUSE_OWNER_CONSENT": no_copy(
        "สำนักงานเก็บหนังสือยินยอมฉบับจริงไว้ (หรือเจ้าบ้านมาแสดงตนด้วยตนเอง)",
        "We keep the signed original (or the head of household comes in person)",
    ),
    "POWER_OF_ATTORNEY": copy_required(
        "ผู้รับมอบอำนาจต้องแนบสำเนาบัตรประจำตัวประชาชนของผู้มอบอำนาจที่ผู้มอบอำนาจลงลายมือชื่อรับรองแล้ว",
        "A proxy must attach a copy of the grantor's ID card, signed by the grantor",
    ),
    "PASSPORT": no_copy(*CHECK_RETURN),
    "DRIVING_LICENCE": no_copy(
        "เจ้าหน้าที่ตรวจข้อมูลใบอนุญาตในระบบของกรมการขนส่งทางบก",
        "We check your licence in the Department of Land Transport's system",
    ),
    "MEDICAL_CERT": no_copy(*KEEP_ORIGINAL),
    "PHOTO": no_copy(
        "รูปถ่ายหน้าตรงขนาด 2 นิ้ว 2 รูป ไม่ต้องถ่ายสำเนา",
        "Two 2-inch passport-style photos; no copies",
        originals=2,
    ),
    "VEHICLE_BOOK": no_copy(
        "เจ้าหน้าที่ตรวจข้อมูลรถในระบบทะเบียนรถ",
        "We check the vehicle in the registration system",
    ),
    "VEHICLE_INSURANCE": no_copy(*CHECK_RETURN),
    "VEHICLE_INSPECTION": no_copy(*KEEP_ORIGINAL),
    "TITLE_DEED": no_copy(
        "สำนักงานที่ดินตรวจกับโฉนดฉบับสำนักงานที่ดิน",
        "The land office checks it against its own copy of the title",
    ),
    "BUILDING_PLANS": no_copy(
        "ยื่นแบบแปลนที่ลงนามแล้ว ไม่ต้องถ่ายสำเนาเพิ่ม",
        "Bring the signed plans; no photocopies",
    ),
    "COMPANY_CERT": no_copy(
        "ยื่นฉบับจริงที่ออกให้ไม่เกิน 6 เดือน สำนักงานเก็บไว้",
        "Bring an original issued within 6 months; we keep it",
    ),
    "WHT_CERT": no_copy(*CHECK_RETURN),
    "EMPLOYER_CERT": no_copy(
        "สำนักงานเก็บฉบับจริงไว้ (หรือตรวจจากข้อมูลที่นายจ้างแจ้งในระบบ)",
        "We keep the original (or check what the employer reported online)",
    ),
    "BANK_BOOK": copy_required(
        "สำเนาหน้าแรกใช้บันทึกเลขบัญชีสำหรับโอนเงินเข้าบัญชีของท่าน",
        "A copy of the first page records the account the money is paid into",
    ),
    "DISABILITY_CARD": no_copy(
        "เจ้าหน้าที่ตรวจสอบสิทธิในฐานข้อมูลคนพิการแล้วคืนบัตร",
        "We check your rights in the disability database and hand the card back",
    ),
    "PREMISES_CONSENT": no_copy(*KEEP_ORIGINAL),
}

# Offices that still ask for signed copies of the ID card / house registration.
STILL_COPIES = {
    "LAND_SALE": (
        "สำนักงานที่ดินยังเก็บสำเนาที่ลงลายมือชื่อรับรองไว้ในสารบบที่ดิน",
        "The land office still files a signed copy with the land record",
    ),
    "VEHICLE_TRANSFER": (
        "สำนักงานขนส่งเก็บสำเนาที่ผู้โอนและผู้รับโอนลงลายมือชื่อไว้ในแฟ้มทะเบียนรถ",
        "The transport office files signed copies from seller and buyer with the vehicle record",
    ),
    "COMPANY_REG": (
        "ต้องแนบสำเนาบัตรของกรรมการที่ลงลายมือชื่อรับรองกับคำขอจดทะเบียน",
        "A signed copy of each director's ID card goes with the application",
    ),
    "PASSPORT_NEW": (
        "สำนักงานหนังสือเดินทางแห่งนี้ยังขอสำเนาที่ลงลายมือชื่อรับรองประกอบคำขอ",
        "This passport office still asks for a signed copy with the application",
    ),
}

# Per service exceptions to DOCUMENT_RULES.
OVERRIDES = {
    **{
        (code, doc): copy_required(*STILL_COPIES[code])
        for code in STILL_COPIES
        for doc in ("ID_CARD", "HOUSE_REG")
    },
    **{
        (code, "TITLE_DEED"): copy_required(
            "แนบสำเนาโฉนดประกอบคำขอ เจ้าหน้าที่ตรวจกับฉบับจริงแล้วคืนฉบับจริง",
            "A copy is filed with the application; we check the original and hand it back",
        )
        for code in ("BUILDING_PERMIT", "HOUSE_NUMBER", "FARMER_REG")
    },
    ("BUILDING_PERMIT", "BUILDING_PLANS"): no_copy(
        "ยื่นแบบแปลนที่ลงนามแล้ว 5 ชุด ไม่ต้องถ่ายสำเนาเพิ่ม",
        "Bring 5 signed sets of plans; no photocopies",
        originals=5,
    ),
    ("IDP", "DRIVING_LICENCE"): copy_required(
        "แนบสำเนาใบอนุญาตขับรถไทยประกอบคำขอ",
        "A copy of your Thai licence is filed with the application",
    ),
    ("IDP", "PASSPORT"): copy_required(
        "แนบสำเนาหน้าที่มีรูปถ่ายประกอบคำขอ",
        "A copy of the photo page is filed with the application",
    ),
    ("WORK_PERMIT", "PASSPORT"): copy_required(
        "แนบสำเนาหน้าที่มีข้อมูลส่วนตัวและตราประทับวีซ่าประกอบคำขอ",
        "Copies of the personal-data and visa pages are filed with the application",
    ),
    ("LAND_SALE", "MARRIAGE_CERT"): copy_required(
        "สำนักงานที่ดินเก็บสำเนาไว้ในสารบบที่ดิน (คู่สมรสต้องให้ความยินยอม)",
        "The land office files a copy with the land record (a spouse must consent)",
    ),
    ("MILITARY_REG", "BIRTH_CERT"): copy_required(
        "หน่วยสัสดีเก็บสำเนาไว้ในแฟ้มทหารกองเกิน",
        "The military affairs office files a copy in your conscript record",
    ),
    ("CHILD_GRANT", "BIRTH_CERT"): copy_required(
        "แนบสำเนาสูติบัตรของเด็กประกอบแบบคำร้อง",
        "A copy of the child's birth certificate is filed with the form",
    ),
}

# Documents added to the CSV's list: a proxy commonly acts for these services.
EXTRA_DOCUMENTS = {"LAND_SALE": ["POWER_OF_ATTORNEY"], "VEHICLE_TRANSFER": ["POWER_OF_ATTORNEY"]}
NAME_SUFFIX = {"POWER_OF_ATTORNEY": (" (เฉพาะกรณีมอบอำนาจ)", " (only if someone acts for you)")}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def document(code: str, service: str, names: dict[str, dict[str, str]]) -> dict:
    rule = OVERRIDES.get((service, code)) or DOCUMENT_RULES.get(code)
    if rule is None:
        raise SystemExit(f"no copy rule for document {code} (service {service})")
    suffix_th, suffix_en = NAME_SUFFIX.get(code, ("", ""))
    return {
        "code": code,
        "name_th": names[code]["name_th"] + suffix_th,
        "name_en": names[code]["name_en"] + suffix_en,
        **rule,
    }


def build(source: Path) -> dict:
    """The demo catalogue payload built from ``source``/services.csv and documents.csv."""
    services_csv = read_csv(source / "services.csv")
    names = {row["code"]: row for row in read_csv(source / "documents.csv")}
    services = []
    for row in services_csv:
        code = row["code"]
        steps = [
            {"order": i, "title_th": th, "title_en": en, "minutes": minutes}
            for i, (th, en, minutes) in enumerate(STEPS[code], start=1)
        ]
        amount, fee_th, fee_en = FEES.get(code, NO_FEE)
        legal_th, legal_en = LEGAL_BASIS[code]
        extra_th, extra_en = CHANNELS_EXTRA.get(code, ("", ""))
        doc_codes = [c for c in row["documents"].split(";") if c] + EXTRA_DOCUMENTS.get(code, [])
        services.append(
            {
                "code": code,
                "version": 1,
                "deleted": False,
                "name_th": row["name_th"],
                "name_en": row["name_en"],
                "agency_th": row["agency_th"],
                "agency_en": row["agency_en"],
                "fee_amount": amount,
                "fee_th": fee_th,
                "fee_en": fee_en,
                "total_minutes": sum(s["minutes"] for s in steps),
                "legal_basis_th": legal_th,
                "legal_basis_en": legal_en,
                "channels_th": CHANNELS[0] + extra_th,
                "channels_en": CHANNELS[1] + extra_en,
                "complaint_th": COMPLAINT[0],
                "complaint_en": COMPLAINT[1],
                "public_url": f"https://counterpoint.example/services/{code}?sp={SP_ID}",
                "demo": True,
                "steps": steps,
                "documents": [document(c, code, names) for c in doc_codes],
            }
        )
    known = {s["code"] for s in services}
    missing = [c for c in COUNTER_CODES if c not in known]
    if missing:
        raise SystemExit(f"counter services missing from services.csv: {missing}")
    return {
        "cursor": CURSOR,
        "full": True,
        "service_point": SERVICE_POINT,
        "counter": {**COUNTER, "service_codes": COUNTER_CODES},
        "services": services,
    }


def render(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def check_geography() -> None:
    """If the geothai package is installed, check the service point's DOPA codes."""
    try:
        import geothai
    except ImportError:
        return
    sub = next(
        s
        for s in geothai.subdistricts(SERVICE_POINT["district_code"])
        if s.code == SERVICE_POINT["subdistrict_code"]
    )
    district = next(
        d
        for d in geothai.districts(SERVICE_POINT["province_code"])
        if d.code == SERVICE_POINT["district_code"]
    )
    assert sub.name_en in SERVICE_POINT["address_en"], sub
    assert sub.name_th in SERVICE_POINT["address_th"], sub
    assert district.name_en in SERVICE_POINT["address_en"], district


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="fail if --out is out of date")
    args = parser.parse_args(argv)
    payload = build(args.source)
    sys.path.insert(0, str(REPO))
    from kiosk.storage.catalogue import validate_catalogue

    validate_catalogue(payload)  # the kiosk must accept what we ship
    check_geography()
    text = render(payload)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: {len(payload['services'])} services")
    return 0


if __name__ == "__main__":
    sys.exit(main())
