"""The QR codes on a service page are drawn sharp from their modules: every module of
the code ``qrcode`` makes for the address is one solid square of black or white."""

from __future__ import annotations

import qrcode
from PySide6.QtGui import QColor

from kiosk.ui.widgets import QrCode
from tests.kiosk.conftest import find, show


def test_each_module_is_a_solid_square(window, qtbot, store):
    svc = store.counter_services()[0]
    show(qtbot, window, "service", code=svc.code)
    code = find(window, "qr_service", QrCode)
    assert code.property("url") == svc.public_url
    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(svc.public_url)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    image = code.grab().toImage()
    cell = image.width() // len(matrix)
    assert cell >= 3 and image.width() == cell * len(matrix), "whole pixels per module"
    for y, row in enumerate(matrix):
        for x, on in enumerate(row):
            want = 0 if on else 255
            for px, py in ((x * cell, y * cell), (x * cell + cell - 1, y * cell + cell - 1)):
                got = QColor(image.pixel(px, py)).lightness()
                assert got == want, f"module {x},{y} at {px},{py}: {got}"
