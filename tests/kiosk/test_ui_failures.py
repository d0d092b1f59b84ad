"""Full disk or a read-only database: staff get a clear message, citizens still browse."""

from __future__ import annotations

from kiosk.storage import KioskStore, StorageFullError
from kiosk.ui.i18n import tr
from tests.kiosk.conftest import find, make_window, show, tap


def test_full_disk_shows_a_clear_message_and_no_false_thank_you(data_dir, qtbot):
    KioskStore.open(data_dir).close()
    # the same SQLITE_FULL a full disk gives: the file may not grow past its size now
    store = KioskStore.open(data_dir, max_db_bytes=1)
    try:
        window = make_window(store, qtbot)
        # the PIN was stored before: make_window sets it only if the write fits
        tap(qtbot, find(window, "rate_action"))
        for _ in range(400):  # fill the last free pages
            try:
                store.record_rating(3, None)
            except StorageFullError:
                break
        before = store.queue_depth()
        tap(qtbot, find(window, "face_5"))
        assert window.current_screen().name == "rating", "no thank-you for a rating not saved"
        assert find(window, "rating_error").isVisible()
        assert store.queue_depth() == before, "nothing half-stored"
        assert window.attention == tr("storage_full", "th")
        show(qtbot, window, "welcome")
        assert find(window, "attention_banner").isVisible()
        tap(qtbot, find(window, "docs_action"))
        assert window.current_screen().name == "services", "documents still work"
        assert window.current_screen().buttons
        window.unlocked = True
        window.close()
    finally:
        store.close()


def test_corrupt_database_is_moved_aside_and_reported(data_dir, qtbot):
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.db").write_bytes(b"this is not a database" * 200)
    store = KioskStore.open(data_dir)
    try:
        assert store.recovered_from is not None and store.recovered_from.exists()
        assert store.recovered_from.read_bytes().startswith(b"this is not a database")
        win = make_window(store, qtbot)
        win.staff_unlocked = True
        show(qtbot, win, "staff_status")
        assert str(store.recovered_from) in find(win, "st_recovery").text()
        show(qtbot, win, "services")
        assert win.current_screen().buttons, "the fresh database has the demo catalogue"
        win.unlocked = True
        win.close()
    finally:
        store.close()
