"""Icons painted with QPainter: no image files to ship, crisp at any size."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPainterPath, QPen, QPixmap

from kiosk.ui import theme


def _canvas(size: int) -> tuple[QPixmap, QPainter]:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pm, p


@lru_cache(maxsize=64)
def face(score: int, size: int) -> QPixmap:
    """A round face for score 1..5: mouth from deep frown to wide smile."""
    pm, p = _canvas(size)
    s = float(size)
    p.setPen(QPen(QColor(theme.INK), s * 0.03))
    p.setBrush(QColor(theme.FACE_COLOURS[score]))
    p.drawEllipse(QRectF(s * 0.05, s * 0.05, s * 0.9, s * 0.9))
    p.setBrush(QColor(theme.INK))
    p.setPen(Qt.PenStyle.NoPen)
    for x in (0.35, 0.65):
        p.drawEllipse(QPointF(s * x, s * 0.4), s * 0.06, s * 0.07)
    pen = QPen(QColor(theme.INK), s * 0.06, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    curve = (score - 3) * 0.09  # negative: frown, positive: smile
    path = QPainterPath(QPointF(s * 0.3, s * 0.66 - curve * s * 0.3))
    path.quadTo(
        QPointF(s * 0.5, s * 0.66 + curve * s), QPointF(s * 0.7, s * 0.66 - curve * s * 0.3)
    )
    p.drawPath(path)
    p.end()
    return pm


@lru_cache(maxsize=32)
def no_copy(size: int) -> QPixmap:
    """A card with a tick: the office checks the document digitally."""
    pm, p = _canvas(size)
    s = float(size)
    ink = QColor(theme.NO_COPY_INK)
    p.setPen(QPen(ink, s * 0.08))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(s * 0.08, s * 0.2, s * 0.84, s * 0.6), s * 0.1, s * 0.1)
    pen = QPen(
        ink, s * 0.11, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
    )
    p.setPen(pen)
    path = QPainterPath(QPointF(s * 0.3, s * 0.5))
    path.lineTo(QPointF(s * 0.45, s * 0.64))
    path.lineTo(QPointF(s * 0.72, s * 0.35))
    p.drawPath(path)
    p.end()
    return pm


@lru_cache(maxsize=32)
def copies(size: int) -> QPixmap:
    """Two stacked sheets: bring photocopies."""
    pm, p = _canvas(size)
    s = float(size)
    ink = QColor(theme.COPY_INK)
    p.setPen(QPen(ink, s * 0.07))
    p.setBrush(QColor(theme.COPY_BG))
    p.drawRect(QRectF(s * 0.3, s * 0.08, s * 0.55, s * 0.65))
    p.drawRect(QRectF(s * 0.15, s * 0.25, s * 0.55, s * 0.65))
    for y in (0.42, 0.56, 0.7):
        p.drawLine(QPointF(s * 0.25, s * y), QPointF(s * 0.6, s * y))
    p.end()
    return pm


@lru_cache(maxsize=32)
def document(size: int, colour: str = theme.ON_PRIMARY) -> QPixmap:
    pm, p = _canvas(size)
    s = float(size)
    p.setPen(QPen(QColor(colour), s * 0.08))
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(s * 0.2, s * 0.08))
    path.lineTo(QPointF(s * 0.6, s * 0.08))
    path.lineTo(QPointF(s * 0.8, s * 0.28))
    path.lineTo(QPointF(s * 0.8, s * 0.92))
    path.lineTo(QPointF(s * 0.2, s * 0.92))
    path.closeSubpath()
    p.drawPath(path)
    for y in (0.45, 0.6, 0.75):
        p.drawLine(QPointF(s * 0.33, s * y), QPointF(s * 0.67, s * y))
    p.end()
    return pm


@lru_cache(maxsize=32)
def star(size: int, colour: str = theme.ON_PRIMARY) -> QPixmap:
    import math

    pm, p = _canvas(size)
    s = float(size)
    path = QPainterPath()
    for i in range(10):
        r = s * (0.46 if i % 2 == 0 else 0.2)
        a = -math.pi / 2 + i * math.pi / 5
        pt = QPointF(s / 2 + r * math.cos(a), s / 2 + r * math.sin(a))
        path.moveTo(pt) if i == 0 else path.lineTo(pt)
    path.closeSubpath()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))
    p.drawPath(path)
    p.end()
    return pm


def icon(pm: QPixmap) -> QIcon:
    return QIcon(pm)


@lru_cache(maxsize=32)
def qr_modules(text: str) -> QImage:
    """A QR code for ``text`` (made with the ``qrcode`` package) as one pixel per module,
    black on white: a few kilobytes, scaled up without smoothing when drawn (see
    ``widgets.QrCode``). The same address (the office's map) is made once."""
    import qrcode

    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    img = QImage(n, n, QImage.Format.Format_RGB32)  # drawn as is: no conversion per paint
    img.fill(QColor("#FFFFFF"))
    black = QColor("#000000").rgb()
    for y, row in enumerate(matrix):
        for x, on in enumerate(row):
            if on:
                img.setPixel(x, y, black)
    return img


@lru_cache(maxsize=32)
def check(size: int, colour: str = theme.ON_PRIMARY) -> QPixmap:
    """A bold check mark: shown on every selected choice, so selection is never colour alone."""
    pm, p = _canvas(size)
    s = float(size)
    pen = QPen(
        QColor(colour),
        s * 0.14,
        Qt.PenStyle.SolidLine,
        Qt.PenCapStyle.RoundCap,
        Qt.PenJoinStyle.RoundJoin,
    )
    p.setPen(pen)
    path = QPainterPath(QPointF(s * 0.16, s * 0.52))
    path.lineTo(QPointF(s * 0.4, s * 0.76))
    path.lineTo(QPointF(s * 0.86, s * 0.26))
    p.drawPath(path)
    p.end()
    return pm


@lru_cache(maxsize=32)
def circle(size: int, colour: str = theme.INK_MUTED) -> QPixmap:
    """An empty ring: an unselected choice (the check mark's place holder)."""
    pm, p = _canvas(size)
    s = float(size)
    p.setPen(QPen(QColor(colour), s * 0.08))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QRectF(s * 0.12, s * 0.12, s * 0.76, s * 0.76))
    p.end()
    return pm


@lru_cache(maxsize=32)
def chevron(size: int, colour: str = theme.PRIMARY, down: bool = False) -> QPixmap:
    """A chevron: right on a tile that opens something, down on the "more below" cue."""
    pm, p = _canvas(size)
    s = float(size)
    pen = QPen(
        QColor(colour),
        s * 0.13,
        Qt.PenStyle.SolidLine,
        Qt.PenCapStyle.RoundCap,
        Qt.PenJoinStyle.RoundJoin,
    )
    p.setPen(pen)
    path = QPainterPath()
    if down:
        path.moveTo(QPointF(s * 0.2, s * 0.35))
        path.lineTo(QPointF(s * 0.5, s * 0.65))
        path.lineTo(QPointF(s * 0.8, s * 0.35))
    else:
        path.moveTo(QPointF(s * 0.35, s * 0.2))
        path.lineTo(QPointF(s * 0.65, s * 0.5))
        path.lineTo(QPointF(s * 0.35, s * 0.8))
    p.drawPath(path)
    p.end()
    return pm


@lru_cache(maxsize=16)
def thanks(size: int) -> QPixmap:
    """The thank-you sign: a calm check mark in a blue ring, the same for every
    score (a smile after "very dissatisfied" would mock the citizen)."""
    pm, p = _canvas(size)
    s = float(size)
    p.setPen(QPen(QColor(theme.PRIMARY), s * 0.06))
    p.setBrush(QColor(theme.CARD))
    p.drawEllipse(QRectF(s * 0.05, s * 0.05, s * 0.9, s * 0.9))
    pen = QPen(
        QColor(theme.PRIMARY),
        s * 0.09,
        Qt.PenStyle.SolidLine,
        Qt.PenCapStyle.RoundCap,
        Qt.PenJoinStyle.RoundJoin,
    )
    p.setPen(pen)
    path = QPainterPath(QPointF(s * 0.3, s * 0.52))
    path.lineTo(QPointF(s * 0.45, s * 0.67))
    path.lineTo(QPointF(s * 0.72, s * 0.37))
    p.drawPath(path)
    p.end()
    return pm
