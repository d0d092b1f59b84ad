"""The counter is never blank: a data folder that is read-only, full or unreadable at
start still gives the documents, a calm "rating is paused" and a staff notice; the kiosk
looks again by itself and offers rating as soon as storage works. Real mechanisms (a
read-only bind mount, a full tmpfs, a database path that is not a file) in a private mount
namespace, as in test_storage_faults.py; a real window (offscreen) in the child."""

from __future__ import annotations

import pytest

from tests.kiosk.test_storage_faults import mounts, run_isolated  # noqa: F401 - fixture

BODY = r"""
import time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QWidget
from kiosk.app import build_window, ensure_qapp
from kiosk.pin import PinGuard

data, mode = Path(sys.argv[1]), sys.argv[2]
data.mkdir(parents=True)

def seed():
    s = KioskStore.open(data)
    PinGuard(s).set_pin("1234")
    s.set_setting("min_rating_interval_s", 0)
    s.record_rating(4, None)
    s.close()

filler = data / ".filler"
if mode == "readonly":
    seed()
    sh("mount", "--bind", data, data)
    sh("mount", "-o", "remount,bind,ro", data)
elif mode == "full":
    sh("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", data)
    seed()
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
                os.fsync(f.fileno())
        except OSError:
            pass
elif mode == "unreadable":
    (data / "kiosk.db").mkdir()

app = ensure_qapp()
win = build_window(data, kiosk_mode=False, size=(1280, 800))
win.show()
app.processEvents()

def visible(name):
    return any(w.isVisible() for w in win.findChildren(QWidget, name))

def go(name):
    win.go(name)
    app.processEvents()

out = {"screen": win.current_screen().name, "paused": win.rating_paused}
out["banner"] = visible("attention_banner")
out["staff_text"] = win.attention
go("services")
out["services"] = len(win.current_screen().buttons)
go("rating")
out["faces_at_start"] = visible("face_3")
out["paused_shown"] = visible("rating_paused")
out["check_while_broken"] = win.check_storage()
out["paused_still"] = win.rating_paused

# the cause goes away; the kiosk notices by itself
if mode == "readonly":
    sh("mount", "-o", "remount,bind,rw", data)
elif mode == "full":
    os.unlink(filler)
else:
    (data / "kiosk.db").rmdir()
win.storage_timer.setInterval(100)
deadline = time.monotonic() + 10
while (win.rating_paused or win.attention) and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.02)
out["resumed"] = not win.rating_paused and win.attention is None
out["faces_after"] = visible("face_3")
out["paused_after"] = visible("rating_paused")
win.current_screen().rate(5)
app.processEvents()
out["after_tap"] = win.current_screen().name
go("welcome")
out["banner_after"] = visible("attention_banner")
out["queued"] = win.store.queue_depth()
win.unlocked = True
win.close()
win.store.close()
print(json.dumps(out))
"""


@pytest.mark.parametrize("mode", ["readonly", "full", "unreadable"])
def test_storage_broken_at_start_still_opens_and_resumes_by_itself(mounts, tmp_path, mode):  # noqa: F811
    out = run_isolated(BODY, tmp_path / "data", mode)
    assert out["screen"] == "welcome", "never a black screen or a PIN prompt"
    assert out["services"] >= 1, "documents from the cached or bundled catalogue"
    assert out["banner"] and out["staff_text"], "staff are told"
    if mode != "full":  # a full disk may still open: then rating fails per tap instead
        assert out["paused"] and out["paused_shown"] and not out["faces_at_start"]
        assert not out["check_while_broken"] and out["paused_still"]
    assert out["resumed"], "rating is offered again as soon as storage works"
    assert out["faces_after"] and not out["paused_after"]
    assert out["after_tap"] == "followup", "a rating is stored again"
    assert not out["banner_after"], "the alert clears when its cause is gone"
    # the rating queued before the trouble is still there (not for a file that never was)
    assert out["queued"] == (1 if mode == "unreadable" else 2)
