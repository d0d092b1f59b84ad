"""Who may import what (README, docs/packaging.md), read from the source with ``ast``:
every ``import``/``from ... import`` (relative ones resolved, lazy ones inside functions
included) and every ``importlib.import_module("literal")``.

- kiosk never imports central, Django or psycopg;
- central never imports kiosk or Qt;
- kiosk/ui never imports requests (or any HTTP library) or the sync client (only the
  ``kiosk.sync`` interface and ``kiosk.sync.errors``);
- kiosk/sync never imports Qt widgets (nor kiosk/ui);
- protocol imports neither kiosk nor central (nor Qt or Django);
- a screen (kiosk/ui/screens) never reaches into the window: no ``self.win``, no
  ``.window()`` / ``.parentWidget()``, no import of the window, the navigator or the
  concrete backend, no raw store or sync service. It gets what it needs when it is built
  and emits typed signals; the navigator decides what comes next.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6")
HTTP = ("requests", "urllib3", "http.client", "urllib.request", "httpx", "aiohttp")
SYNC_INTERNALS = (
    "kiosk.sync.client",
    "kiosk.sync.enrol",
    "kiosk.sync.engine",
    "kiosk.sync.service",
    "kiosk.sync.cli",
    "apscheduler",
)
# (folder, forbidden module prefixes, why)
RULES: list[tuple[str, tuple[str, ...], str]] = [
    ("kiosk", ("central", "django", "psycopg", "psycopg2"), "the kiosk runs without central"),
    ("central", ("kiosk", *QT), "central runs without the kiosk or Qt"),
    ("kiosk/ui", (*HTTP, *SYNC_INTERNALS), "the UI knows nothing of HTTP"),
    ("kiosk/sync", ("PySide6.QtWidgets", "PySide6.QtGui", "kiosk.ui"), "sync has no widgets"),
    ("protocol", ("kiosk", "central", "django", *QT), "the protocol belongs to neither side"),
    (
        "kiosk/ui/screens",
        ("kiosk.ui.window", "kiosk.ui.navigator", "kiosk.ui.backend", "kiosk.storage.store"),
        "screens get what they need and emit signals; the navigator decides",
    ),
]
# What a screen may not touch (attribute names) or call (methods that climb to the window).
SCREEN_FORBIDDEN_ATTRS = ("win", "store", "sync", "nav", "navigator", "backend")
SCREEN_FORBIDDEN_CALLS = (
    "window",
    "parentWidget",
    "parent",
    "topLevelWidget",
    "nativeParentWidget",
    "activeWindow",
    "topLevelWidgets",
    "allWidgets",
)


def _module_of(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module name ``path`` imports (``from a import b`` gives ``a`` and ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_of(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(p for p in [*base_parts, node.module or ""] if p)
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violations(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        if path.is_symlink() or "migrations" in path.parts:
            continue
        for module in sorted(imports_of(path)):
            if any(_matches(module, p) for p in forbidden):
                out.append(f"{path.relative_to(ROOT)} imports {module}")
    return out


@pytest.mark.parametrize(("folder", "forbidden", "why"), RULES, ids=[r[0] for r in RULES])
def test_boundary(folder, forbidden, why):
    assert (ROOT / folder).is_dir()
    assert violations(folder, forbidden) == [], why


def reaches_into_window(path: Path) -> list[str]:
    """Every place in ``path`` where a screen reaches past what it was given."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in SCREEN_FORBIDDEN_ATTRS:
            out.append(f"{path.name}:{node.lineno} .{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SCREEN_FORBIDDEN_CALLS
        ):
            out.append(f"{path.name}:{node.lineno} .{node.func.attr}()")
        elif isinstance(node, ast.Name) and node.id in ("KioskWindow", "Navigator"):
            out.append(f"{path.name}:{node.lineno} {node.id}")
    return out


def test_screens_do_not_reach_into_the_window():
    screens = sorted((ROOT / "kiosk" / "ui" / "screens").glob("*.py"))
    assert len(screens) >= 13, "every screen module is looked at"
    found = [v for path in screens for v in reaches_into_window(path)]
    assert found == [], "screens get what they need and emit typed signals"


def test_no_ui_class_shadows_qwidget_screen():
    """``QWidget.screen()`` (the display a widget is on) stays Qt's: no method or
    attribute of that name in kiosk/ui."""
    found = []
    for path in sorted((ROOT / "kiosk" / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "screen":
                found.append(f"{path.name}:{node.lineno} def screen")
            elif (
                isinstance(node, ast.Attribute)
                and node.attr == "screen"
                and isinstance(node.ctx, ast.Store)
            ):
                found.append(f"{path.name}:{node.lineno} .screen =")
    assert found == []


def test_the_screen_checker_is_not_blind(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "class S:\n"
        "    def f(self):\n"
        "        self.win.go('thanks')\n"
        "        self.window().lang\n"
        "        self.deps.store.record_rating(5, None)\n"
        "        w: KioskWindow\n"
    )
    assert sorted(reaches_into_window(bad)) == [
        "bad.py:3 .win",
        "bad.py:4 .window()",
        "bad.py:5 .store",
        "bad.py:6 KioskWindow",
    ]


def test_the_checker_sees_imports(tmp_path, monkeypatch):
    """The checker is not blind: it finds the imports that are really there, lazy ones
    and relative ones included, and flags a planted violation."""
    assert "PySide6.QtWidgets" in imports_of(ROOT / "kiosk" / "ui" / "window.py")
    assert "kiosk.sync.errors.normalize_server_url" in imports_of(
        ROOT / "kiosk" / "ui" / "screens" / "staff_enrol.py"
    )  # imported inside a method
    assert "django.db" in imports_of(ROOT / "central" / "ratings" / "models.py")

    fake = tmp_path / "kiosk" / "ui"
    fake.mkdir(parents=True)
    (tmp_path / "kiosk" / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    (fake / "bad.py").write_text(
        "def f():\n    from ..sync import client\n    import importlib\n"
        "    importlib.import_module('requests')\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert violations("kiosk/ui", (*HTTP, *SYNC_INTERNALS)) == [
        "kiosk/ui/bad.py imports kiosk.sync.client",
        "kiosk/ui/bad.py imports requests",
    ]


def test_loaded_ui_pulls_in_no_http_and_sync_no_widgets():
    """What really ends up loaded (imports of imports): every screen of the UI without
    requests or the sync client; the sync service without Qt widgets."""
    probe = (
        "import sys, pkgutil, importlib\n"
        "import kiosk.ui.window, kiosk.ui.screens as s\n"
        "for m in pkgutil.iter_modules(s.__path__): importlib.import_module(s.__name__+'.'+m.name)\n"
        "bad = [m for m in ('requests', 'urllib3', 'kiosk.sync.client') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True)
    probe = (
        "import sys\nimport kiosk.sync.service, kiosk.sync.cli\n"
        "bad = [m for m in ('PySide6.QtWidgets', 'PySide6.QtGui', 'kiosk.ui') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True)
