"""Every string the kiosk shows, in Thai and English.

Screens never hold literal text: they call ``tr(key, lang, **values)``. A test walks every
key to make sure both languages are present and that every character has a glyph in the
bundled font.
"""

from __future__ import annotations

LANGS = ("th", "en")

STRINGS: dict[str, tuple[str, str]] = {
    # header and welcome
    "counter": ("ช่องบริการ", "Counter"),
    "online": ("ออนไลน์", "Online"),
    "offline": ("ออฟไลน์", "Offline"),
    "lang_switch_th": ("ไทย", "ไทย"),
    "lang_switch_en": ("EN", "EN"),
    "welcome_title": ("ยินดีให้บริการ", "Welcome"),
    "welcome_subtitle": (
        "แตะเพื่อดูเอกสารที่ต้องใช้ หรือให้คะแนนบริการที่ได้รับ",
        "Tap to see which documents you need, or rate the service you received",
    ),
    "rate_action": ("ให้คะแนนบริการ", "Rate our service"),
    "docs_action": ("ต้องใช้เอกสารอะไรบ้าง?", "What documents do I need?"),
    "attention_banner": (
        "เครื่องนี้ต้องการการดูแล โปรดแจ้งเจ้าหน้าที่",
        "This kiosk needs attention. Please tell a member of staff.",
    ),
    "back": ("← ย้อนกลับ", "← Back"),
    "home": ("หน้าแรก", "Home"),
    # services and documents
    "services_title": ("บริการของช่องนี้", "Services at this counter"),
    "services_hint": ("แตะบริการเพื่อดูเอกสารที่ต้องใช้", "Tap a service to see the documents"),
    "no_services": (
        "ยังไม่ได้เลือกบริการสำหรับช่องนี้ โปรดแจ้งเจ้าหน้าที่",
        "No services have been chosen for this counter yet. Please ask staff.",
    ),
    "documents_title": ("เอกสารที่ต้องนำมา", "Documents to bring"),
    "originals": ("ฉบับจริง {n} ฉบับ", "{n} original"),
    "originals_plural": ("ฉบับจริง {n} ฉบับ", "{n} originals"),
    "no_original": ("ไม่ต้องใช้ฉบับจริง", "No original needed"),
    "badge_no_copy": (
        "ไม่ต้องใช้สำเนา — เราตรวจสอบทางดิจิทัล",
        "No copy needed — we check it digitally",
    ),
    "badge_no_copy_plain": ("ไม่ต้องใช้สำเนา", "No copy needed"),
    "badge_copy_one": ("นำสำเนามา 1 ฉบับ", "Bring 1 copy"),
    "badge_copy_n": ("นำสำเนามา {n} ฉบับ", "Bring {n} copies"),
    "no_copy_since": ("ยกเลิกการเรียกสำเนาตั้งแต่ {date}", "No copies asked since {date}"),
    "steps_title": ("ขั้นตอน", "Steps"),
    "step_minutes": ("{n} นาที", "{n} min"),
    "total_time": ("ใช้เวลารวมประมาณ {n} นาที", "About {n} minutes in total"),
    "fee": ("ค่าธรรมเนียม: {fee}", "Fee: {fee}"),
    "demo_note": (
        "ข้อมูลตัวอย่าง (ขั้นตอน เวลา และค่าธรรมเนียม ไม่ใช่คู่มือสำหรับประชาชนฉบับทางการ)",
        "Demo data (steps, times and fees are not the official Citizen's Manual)",
    ),
    "qr_service": ("สแกนเพื่อดูข้อมูลนี้บนมือถือ", "Scan to see this on your phone"),
    "qr_map": ("สแกนเพื่อดูแผนที่สำนักงาน", "Scan for this office on a map"),
    "rate_after": ("รับบริการแล้ว? ให้คะแนนเรา", "Been served? Rate us"),
    # rating
    "rating_title": ("คุณพอใจกับบริการวันนี้แค่ไหน?", "How satisfied are you with today's service?"),
    "rating_hint": ("แตะหน้าเดียวเพื่อให้คะแนน", "One tap on a face records your rating"),
    "face_1": ("ไม่พอใจมาก", "Very dissatisfied"),
    "face_2": ("ไม่พอใจ", "Dissatisfied"),
    "face_3": ("เฉยๆ", "Neutral"),
    "face_4": ("พอใจ", "Satisfied"),
    "face_5": ("พอใจมาก", "Very satisfied"),
    "rating_saved": ("บันทึกคะแนนแล้ว ขอบคุณ!", "Rating saved. Thank you!"),
    "rating_failed": (
        "ขออภัย บันทึกคะแนนไม่สำเร็จในขณะนี้ โปรดแจ้งเจ้าหน้าที่",
        "Sorry, your rating could not be saved right now. Please tell staff.",
    ),
    "followup_title": ("บอกเราเพิ่มได้ (ไม่บังคับ)", "Tell us more (optional)"),
    "followup_about": ("เรื่องใดบ้าง?", "What was it about?"),
    "dim_staff": ("เจ้าหน้าที่", "Staff"),
    "dim_waiting_time": ("เวลารอ", "Waiting time"),
    "dim_steps": ("ความชัดเจนของขั้นตอน", "Clarity of steps"),
    "dim_documents": ("เอกสาร", "Documents"),
    "dim_facilities": ("สถานที่และสิ่งอำนวยความสะดวก", "Facilities"),
    "dim_outcome": ("ผลของบริการ", "Outcome"),
    "copy_question": (
        "วันนี้มีการขอสำเนาเอกสารจากคุณหรือไม่?",
        "Were you asked for a photocopy of any document?",
    ),
    "yes": ("ใช่", "Yes"),
    "no": ("ไม่ใช่", "No"),
    "comment_add": ("เขียนความคิดเห็น", "Write a comment"),
    "comment_title": ("ความคิดเห็นสั้นๆ (ไม่บังคับ)", "A short comment (optional)"),
    "comment_placeholder": ("พิมพ์ที่นี่…", "Type here…"),
    "comment_count": ("{n}/{max}", "{n}/{max}"),
    "done": ("เสร็จสิ้น", "Done"),
    "skip": ("ข้าม", "Skip"),
    "send": ("ส่ง", "Send"),
    "thanks_title": ("ขอบคุณที่ให้คะแนน", "Thank you for your rating"),
    "thanks_body": (
        "ความเห็นของคุณช่วยให้เราปรับปรุงบริการ",
        "Your answer helps us improve this service",
    ),
    # idle
    "idle_title": ("ยังใช้งานอยู่ไหม?", "Are you still there?"),
    "idle_body": (
        "จะกลับสู่หน้าแรกใน {n} วินาที",
        "Returning to the start screen in {n} seconds",
    ),
    "idle_stay": ("ใช้งานต่อ", "Keep going"),
    # keyboard
    "kb_space": ("เว้นวรรค", "Space"),
    "kb_shift": ("แป้นบน", "Shift"),
    "kb_backspace": ("← ลบ", "← Delete"),
    "kb_lang_th": ("ก ข", "ก ข"),
    "kb_lang_en": ("ABC", "ABC"),
    "kb_numbers": ("123", "123"),
    # staff
    "staff_title": ("โหมดเจ้าหน้าที่", "Staff mode"),
    "pin_enter": ("ใส่รหัส PIN ของเจ้าหน้าที่", "Enter the staff PIN"),
    "pin_set": ("ตั้งรหัส PIN ใหม่ (4–8 หลัก)", "Choose a new PIN (4–8 digits)"),
    "pin_confirm": ("ใส่รหัส PIN อีกครั้งเพื่อยืนยัน", "Enter the new PIN again"),
    "pin_first_run": (
        "ตั้งค่าครั้งแรก: ตั้งรหัส PIN สำหรับเจ้าหน้าที่",
        "First start: choose a PIN for staff",
    ),
    "pin_wrong": ("รหัส PIN ไม่ถูกต้อง เหลืออีก {n} ครั้ง", "Wrong PIN. {n} tries left"),
    "pin_locked": (
        "ใส่รหัสผิดหลายครั้ง ล็อกไว้ {n} วินาที",
        "Too many wrong PINs. Locked for {n} seconds",
    ),
    "pin_mismatch": ("รหัส PIN ไม่ตรงกัน ลองใหม่", "The PINs did not match. Try again"),
    "pin_too_short": ("รหัส PIN ต้องมี 4–8 หลัก", "The PIN must have 4–8 digits"),
    "pin_changed": ("เปลี่ยนรหัส PIN แล้ว", "PIN changed"),
    "pin_clear": ("ล้าง", "Clear"),
    "pin_ok": ("ตกลง", "OK"),
    "cancel": ("ยกเลิก", "Cancel"),
    "staff_setup": ("เลือกบริการของช่องนี้", "Choose this counter's services"),
    "staff_status": ("สถานะเครื่อง", "Kiosk status"),
    "staff_sync_now": ("ซิงค์ตอนนี้", "Sync now"),
    "staff_change_pin": ("เปลี่ยนรหัส PIN", "Change PIN"),
    "staff_enrol": ("ลงทะเบียนกับระบบกลาง", "Enrol with central"),
    "enrol_server": ("เซิร์ฟเวอร์", "Server"),
    "enrol_code": ("รหัส", "Code"),
    "enrol_paste": ("วาง", "Paste"),
    "enrol_submit": ("ลงทะเบียน", "Enrol"),
    "enrol_busy": ("กำลังติดต่อระบบกลางที่ {url} ...", "Contacting central at {url} ..."),
    "enrol_ok": (
        "ลงทะเบียนแล้ว: {point} {counter} (รหัสเครื่อง {kiosk})",
        "Enrolled: {point}, counter {counter} (kiosk id {kiosk})",
    ),
    "enrol_current": (
        "ลงทะเบียนอยู่กับ {place} ที่ {url} (รหัสเครื่อง {kiosk})",
        "Enrolled to {place} at {url} (kiosk id {kiosk})",
    ),
    "enrol_catalogue_later": (
        "ยังดาวน์โหลดข้อมูลบริการไม่ได้ เครื่องจะลองใหม่ในการซิงค์ครั้งถัดไป",
        "The service catalogue could not be downloaded yet; the next sync will fetch it.",
    ),
    "enrol_err_url": (
        "ที่อยู่เซิร์ฟเวอร์ไม่ถูกต้อง ไม่มีการเปลี่ยนแปลงใด ๆ",
        "The server address is not valid. Nothing was changed.",
    ),
    "enrol_err_code": (
        "ระบบกลางไม่รับรหัสนี้ (ผิด ใช้แล้ว หรือหมดอายุ) ไม่มีการเปลี่ยนแปลงใด ๆ",
        "Central refused this code (wrong, used or expired). Nothing was changed.",
    ),
    "enrol_err_unreachable": (
        "ติดต่อเซิร์ฟเวอร์ไม่ได้ ตรวจสอบเครือข่ายและที่อยู่ ไม่มีการเปลี่ยนแปลงใด ๆ",
        "Could not reach the server. Check the network and the address. Nothing was changed.",
    ),
    "enrol_err_tls": (
        "เชื่อมต่อแบบปลอดภัยไม่สำเร็จ (ใบรับรอง TLS) ไม่มีการเปลี่ยนแปลงใด ๆ",
        "The secure (TLS) connection failed. Nothing was changed.",
    ),
    "enrol_err_not_central": (
        "เซิร์ฟเวอร์นี้ไม่ใช่ระบบกลาง CounterPoint ไม่มีการเปลี่ยนแปลงใด ๆ",
        "This server is not a CounterPoint central. Nothing was changed.",
    ),
    "enrol_err_other": (
        "ลงทะเบียนไม่สำเร็จ ไม่มีการเปลี่ยนแปลงใด ๆ",
        "Enrolment failed. Nothing was changed.",
    ),
    "sync_blocked": (
        "ระบบกลางไม่รับเครื่องนี้แล้ว คะแนนยังเก็บไว้ในเครื่อง โปรดลงทะเบียนใหม่",
        "Central no longer accepts this kiosk. Ratings stay on the kiosk: enrol it again.",
    ),
    "staff_leave": ("ออกจากโหมดคีออสก์", "Leave kiosk mode"),
    "staff_back": ("กลับสู่หน้าประชาชน", "Back to citizen screens"),
    "staff_save": ("บันทึก", "Save"),
    "staff_saved": ("บันทึกแล้ว", "Saved"),
    "staff_select_all": ("เลือกทั้งหมด", "Select all"),
    "staff_select_none": ("ไม่เลือกเลย", "Select none"),
    "staff_setup_hint": (
        "แตะเพื่อเลือกหรือยกเลิก บริการที่เลือกจะแสดงให้ประชาชนเห็น",
        "Tap to select or clear. Selected services are shown to citizens.",
    ),
    "sync_requested": ("ส่งคำขอซิงค์แล้ว", "Sync requested"),
    "sync_done_ok": ("ซิงค์สำเร็จ", "Sync finished"),
    "sync_done_failed": ("ซิงค์ไม่สำเร็จ: {error}", "Sync failed: {error}"),
    "sync_not_enrolled": (
        "ยังไม่ได้ลงทะเบียนกับระบบกลาง คะแนนจะเก็บไว้ในเครื่องจนกว่าจะลงทะเบียน",
        "Not enrolled with central yet. Ratings stay on this kiosk until it is enrolled.",
    ),
    "st_queued": ("คะแนนที่รอส่ง", "Ratings waiting to sync"),
    "st_rejected": ("คะแนนที่ระบบกลางปฏิเสธ", "Ratings refused by central"),
    "st_last_sync": ("ซิงค์ล่าสุด", "Last sync"),
    "st_last_error": ("ข้อผิดพลาดล่าสุด", "Last error"),
    "st_catalogue": ("รุ่นของข้อมูลบริการ", "Catalogue version"),
    "st_catalogue_refused": (
        "ใช้ข้อมูลบริการใหม่จากระบบกลางไม่ได้ (ใช้ชุดเดิมอยู่)",
        "Central's new catalogue refused (previous one kept)",
    ),
    "st_catalogue_refused_item": ("ตั้งแต่ {at}: {reason}", "Since {at}: {reason}"),
    "st_disk": ("พื้นที่ว่างในเครื่อง", "Free disk space"),
    "st_db": ("ขนาดฐานข้อมูล", "Database size"),
    "st_app": ("รุ่นโปรแกรม", "App version"),
    "st_kiosk_id": ("รหัสเครื่อง", "Kiosk id"),
    "st_central_id": ("รหัสเครื่องในระบบกลาง", "Kiosk id at central"),
    "st_blocked": ("ระบบกลางระงับเครื่องนี้", "Central refused this kiosk"),
    "st_rejected_item": ("ลำดับที่ {seq}: {reason}", "No. {seq}: {reason}"),
    "st_enrolled": ("ลงทะเบียนกับ", "Enrolled to"),
    "st_storage": ("ที่เก็บข้อมูล", "Storage"),
    "st_recovery": ("การกู้คืนฐานข้อมูล", "Database recovery"),
    "st_never": ("ยังไม่เคย", "Never"),
    "st_none": ("ไม่มี", "None"),
    "st_ok": ("ปกติ", "OK"),
    "st_not_enrolled": ("ยังไม่ได้ลงทะเบียน", "Not enrolled"),
    "storage_full": (
        "พื้นที่จัดเก็บเต็ม: บันทึกคะแนนใหม่ไม่ได้ โปรดเพิ่มพื้นที่ว่าง",
        "Storage is full: new ratings cannot be saved. Free some disk space.",
    ),
    "storage_readonly": (
        "ฐานข้อมูลเขียนไม่ได้ (อ่านอย่างเดียว): บันทึกคะแนนใหม่ไม่ได้",
        "The database is read-only: new ratings cannot be saved.",
    ),
    "storage_error": ("บันทึกข้อมูลไม่สำเร็จ: {detail}", "Could not save: {detail}"),
    "recovered_db": (
        "ไฟล์ฐานข้อมูลเสียหาย ย้ายไปไว้ที่ {path} และสร้างใหม่แล้ว",
        "The database file was damaged. It was moved to {path} and a fresh one was created.",
    ),
    # added for issue 8 (clean visits, storage that cannot be opened, staff side)
    "more_below": ("เลื่อนดูเพิ่มเติม", "More below"),
    "followup_wrong": ("อะไรที่ควรปรับปรุง?", "What went wrong?"),
    "followup_well": ("อะไรที่ทำได้ดี?", "What went well?"),
    "rating_paused_title": ("ขณะนี้งดรับคะแนนชั่วคราว", "Rating is paused for now"),
    "rating_paused_body": (
        "เจ้าหน้าที่ได้รับแจ้งแล้ว คุณยังดูเอกสารที่ต้องใช้ได้ตามปกติ ขอบคุณที่เข้าใจ",
        "Staff have been told. You can still see which documents you need. Thank you.",
    ),
    "storage_unavailable": (
        "เปิดที่เก็บข้อมูลไม่ได้: บันทึกคะแนนใหม่ไม่ได้ รายละเอียดอยู่ในบันทึกของเครื่อง",
        "The kiosk's storage cannot be used: new ratings cannot be saved. "
        "Details are in the kiosk's log.",
    ),
    "storage_corrupt": (
        "ไฟล์ฐานข้อมูลเสียหาย: เริ่มเครื่องใหม่เพื่อกู้คืน",
        "The database file is damaged: restart the kiosk to recover it.",
    ),
    "storage_full_paused": (
        "พื้นที่จัดเก็บเต็ม: งดรับคะแนนชั่วคราว เครื่องจะตรวจใหม่เองและรับคะแนนต่อเมื่อมีพื้นที่",
        "Storage is full: rating is paused. The kiosk checks again by itself and "
        "resumes when there is space.",
    ),
    "storage_readonly_paused": (
        "ที่เก็บข้อมูลเขียนไม่ได้ (อ่านอย่างเดียว): งดรับคะแนนชั่วคราว เครื่องจะตรวจใหม่เองและรับคะแนนต่อเมื่อเขียนได้",
        "Storage is read-only: rating is paused. The kiosk checks again by itself and "
        "resumes when it can write.",
    ),
    "storage_unavailable_paused": (
        "เปิดที่เก็บข้อมูลไม่ได้: งดรับคะแนนชั่วคราว เครื่องจะตรวจใหม่เอง รายละเอียดอยู่ในบันทึกของเครื่อง",
        "The kiosk's storage cannot be opened: rating is paused. The kiosk checks again "
        "by itself. Details are in the kiosk's log.",
    ),
    "storage_corrupt_paused": (
        "ไฟล์ฐานข้อมูลเสียหาย: งดรับคะแนนชั่วคราว",
        "The database file is damaged: rating is paused.",
    ),
    "leave_confirm": (
        "ออกจากโหมดคีออสก์? หน้าจอจะปิดและประชาชนจะใช้งานไม่ได้จนกว่าจะเปิดใหม่",
        "Leave kiosk mode? The kiosk closes and citizens cannot use it until it is started again.",
    ),
    "leave_yes": ("ออกจากโหมดคีออสก์", "Leave kiosk mode"),
    "leave_no": ("ไม่ออก อยู่ต่อ", "Stay"),
    "pin_locked_tick": (
        "ใส่รหัสผิดหลายครั้ง ลองใหม่ได้ใน {n} วินาที",
        "Too many wrong PINs. Try again in {n} seconds",
    ),
    "sync_err_network": (
        "ติดต่อระบบกลางไม่ได้ (เครือข่าย) จะลองใหม่โดยอัตโนมัติ",
        "Could not reach central (network). The kiosk tries again by itself.",
    ),
    "sync_err_refused": (
        "ระบบกลางไม่รับเครื่องนี้ โปรดลงทะเบียนใหม่",
        "Central refused this kiosk. Enrol it again.",
    ),
    "sync_err_server": (
        "ระบบกลางขัดข้อง จะลองใหม่โดยอัตโนมัติ",
        "Central had a problem. The kiosk tries again by itself.",
    ),
    "sync_err_storage": (
        "ที่เก็บข้อมูลของเครื่องมีปัญหา ดูหน้าสถานะเครื่อง",
        "The kiosk's storage has a problem. See the status page.",
    ),
    "sync_err_other": (
        "ซิงค์ไม่สำเร็จ จะลองใหม่โดยอัตโนมัติ รายละเอียดอยู่ในบันทึกของเครื่อง",
        "Sync did not finish. The kiosk tries again by itself. Details are in the log.",
    ),
    "st_salvage": (
        "กู้คืนคะแนนได้ {salvaged} รายการ สูญหาย {lost} รายการ",
        "{salvaged} ratings recovered, {lost} lost",
    ),
    "st_salvage_unknown": (
        "กู้คืนคะแนนได้ {salvaged} รายการ ไม่ทราบจำนวนที่สูญหาย",
        "{salvaged} ratings recovered; how many were lost is not known",
    ),
    "recovered_at": (
        "{at}: ไฟล์ฐานข้อมูลเสียหาย ย้ายไปไว้ที่ {path}",
        "{at}: the database file was damaged and moved to {path}",
    ),
    "staff_locked_recovery": (
        "รหัส PIN ของเจ้าหน้าที่สูญหายพร้อมฐานข้อมูลที่เสียหาย ใช้รหัสลงทะเบียนใหม่จากระบบกลางเพื่อเปิดโหมดเจ้าหน้าที่",
        "The staff PIN was lost with the damaged database. Use a fresh enrolment code "
        "from central to open staff mode.",
    ),
}


def tr(key: str, lang: str, **values: object) -> str:
    """The string ``key`` in ``lang`` ("th" or "en"), with ``{name}`` values filled in."""
    th, en = STRINGS[key]
    text = th if lang == "th" else en
    return text.format(**values) if values else text


THAI_MONTHS = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(iso: str, lang: str) -> str:
    """``2021-10-01`` as "1 ต.ค. 2564" (Buddhist era) or "1 Oct 2021"; as given if unparsable."""
    try:
        year, month, day = (int(part) for part in iso[:10].split("-"))
        if lang == "th":
            return f"{day} {THAI_MONTHS[month - 1]} {year + 543}"
        return f"{day} {EN_MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return iso


def pick(lang: str, th: str, en: str) -> str:
    """Choose between a Thai and an English catalogue field; fall back to the other one."""
    if lang == "th":
        return th or en
    return en or th


def format_moment(value: object, lang: str) -> str:
    """A moment as staff read it: local time, Thai date in Thai ("1 ธ.ค. 2569 09:30"),
    "1 Dec 2026 09:30" in English. Takes a datetime or an ISO 8601 text (any offset);
    anything else is shown as given."""
    from datetime import datetime

    if value is None:
        return ""
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if not isinstance(moment, datetime):
        return str(value)
    local = moment.astimezone() if moment.tzinfo is not None else moment
    return f"{format_date(local.date().isoformat(), lang)} {local:%H:%M}"


SYNC_ERROR_KEYS = {
    "unreachable": "sync_err_network",
    "timeout": "sync_err_network",
    "tls": "sync_err_network",
    "revoked": "sync_err_refused",
    "unknown_kiosk": "sync_err_refused",
    "refused": "sync_err_refused",
    "not_enrolled": "sync_err_refused",
    "server": "sync_err_server",
    "redirect": "sync_err_server",
    "not_central": "sync_err_server",
    "protocol": "sync_err_server",
    "storage": "sync_err_storage",
}


def sync_error_text(kind: str | None, lang: str) -> str:
    """Why a sync failed, in words for staff (never the raw exception text)."""
    return tr(SYNC_ERROR_KEYS.get(kind or "", "sync_err_other"), lang)
