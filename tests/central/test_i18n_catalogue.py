"""Central's wording lives in the gettext catalogue, not inline.

Every interface wording is an English msgid in the code (``gettext_lazy``, ``ngettext``,
``{% translate %}``, ``{% blocktranslate %}``) with its Thai in
``central/locale/th/LC_MESSAGES/django.po`` (docs/i18n.md). A Thai string literal in a
Python module or a template is therefore a wording that escaped the catalogue (the English
page would show Thai), unless it is Thai *content*: the data listed below, each with why.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from central.fleet.admin import ONLINE_MINUTES, STALE_HOURS
from tests.central.admin_world import build_admin_world

CENTRAL = Path(__file__).resolve().parents[2] / "central"
THAI = re.compile("[\u0e00-\u0e7f]+(?:[ \u0e00-\u0e7f]*[\u0e00-\u0e7f])?")
PO = CENTRAL / "locale" / "th" / "LC_MESSAGES" / "django.po"
TTL = settings.CP_ENROLMENT_CODE_TTL_HOURS

# Modules that are Thai content through and through.
THAI_MODULES = {
    "demo.py": "demo data: Thai names of agencies, offices and opening hours",
    "comments/demo.py": "demo data: citizens' comments as citizens write them",
    "comments/analysis.py": "Thai language processing: PII masks and polite particles",
    "comments/features.py": "Thai language processing: Thai digits",
    "comments/junk.py": "Thai language processing: keyboard-mash and vowel patterns",
    "comments/sentiment.py": "Thai language processing: question particles",
    "comments/topics.py": "Thai language processing: topic keywords",
}
# Modules with a few Thai literals that are data, not interface wording: how many.
THAI_LITERALS = {
    "api/catalogue.py": (2, "the Thai text kiosks show, sent as data beside the English"),
    "catalogue/models.py": (3, "the fee wording stored on a service ('ไม่มีค่าธรรมเนียม', 'บาท')"),
    "directory/models.py": (1, "a help text quoting how Thai opening hours are written"),
    "insights/alerts.py": (11, "alert text stored in Thai and English when raised; e-mail"),
    "public/hsds.py": (17, "open-data records: one text field holding Thai / English"),
    "public/results.py": (5, "the five face words exactly as the kiosk shows them"),
    "settings.py": (1, "the language switch names Thai in Thai (ไทย)"),
    "web/public.py": (12, "Thai month abbreviations for Buddhist-era dates"),
}
# Templates: the language switch names each language in itself.
THAI_IN_TEMPLATES = {
    "templates/admin/base_site.html": {"ไทย"},
    "templates/public/_header.html": {"ภาษาไทย"},
    "templates/web/public_service.html": {"ภาษาไทย"},
}


def _thai_literals(path: Path) -> list[tuple[int, str]]:
    """Thai string literals of a module (f-string parts included), docstrings excluded."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = body[0] if body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and THAI.search(node.value)
    ]


def _modules() -> list[Path]:
    return [p for p in sorted(CENTRAL.rglob("*.py")) if "migrations" not in p.parts]


def test_no_inline_thai_in_python_modules():
    found = {}
    for path in _modules():
        name = path.relative_to(CENTRAL).as_posix()
        if name in THAI_MODULES:
            continue
        literals = _thai_literals(path)
        allowed = THAI_LITERALS.get(name, (0, ""))[0]
        if len(literals) > allowed:
            found[name] = [f"line {line}: {text[:60]!r}" for line, text in literals]
    assert not found, (
        "Thai wording written inline in Python; give it an English msgid with gettext/"
        "gettext_lazy and its Thai in central/locale/th/LC_MESSAGES/django.po "
        f"(docs/i18n.md): {found}"
    )


def test_the_allowlists_are_not_stale():
    for name in THAI_MODULES:
        assert _thai_literals(CENTRAL / name), f"{name} has no Thai literal left: unlist it"
    for name, (count, _why) in THAI_LITERALS.items():
        assert len(_thai_literals(CENTRAL / name)) == count, f"update the count of {name}"


def test_no_inline_thai_in_templates():
    found = {}
    for path in sorted(CENTRAL.rglob("*.html")):
        name = path.relative_to(CENTRAL).as_posix()
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
        text = re.sub(r"\{% comment %\}.*?\{% endcomment %\}", "", text, flags=re.S)
        words = set(THAI.findall(text)) - THAI_IN_TEMPLATES.get(name, set())
        if words:
            found[name] = sorted(words)
    assert not found, (
        "Thai wording written inline in a template; use {% translate %} / "
        f"{{% blocktranslate %}} with an English msgid and the Thai in django.po: {found}"
    )


def test_the_tr_helpers_are_gone():
    """``tr("ไทย", "English")`` and ``{% tr %}`` chose between two inline wordings."""
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.Name) and getattr(
                node, "name", getattr(node, "id", "")
            ) in ("tr",):
                raise AssertionError(f"{path}:{node.lineno} defines or uses tr")
    for path in CENTRAL.rglob("*.html"):
        assert not re.search(r"\{%\s*tr\s", path.read_text(encoding="utf-8")), path


def _po_entries(text: str) -> list[dict]:
    """The entries of a .po file: flags, msgctxt, msgid, msgid_plural, msgstr[n]."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry: dict = {"flags": set(), "msgstr": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if key == "msgstr":
                    entry["msgstr"][-1] += value
                else:
                    entry[key] += value
            else:
                word, _, rest = line.partition(" ")
                value = ast.literal_eval(rest)
                if word.startswith("msgstr"):
                    key = "msgstr"
                    entry["msgstr"].append(value)
                else:
                    key = word
                    entry[key] = value
        if "msgid" in entry:
            entries.append(entry)
    return entries


def test_the_thai_catalogue_is_complete():
    entries = [e for e in _po_entries(PO.read_text(encoding="utf-8")) if e["msgid"]]
    assert len(entries) > 500  # the parser read the catalogue
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in entries if not all(e["msgstr"])]
    assert not fuzzy, f"fuzzy entries in {PO}: {fuzzy}"
    assert not empty, f"untranslated entries in {PO}: {empty}"
    # Thai has one plural form (Plural-Forms: nplurals=1): one msgstr per plural entry.
    assert all(len(e["msgstr"]) == 1 for e in entries)
    english = [e["msgid"] for e in entries if not THAI.search("".join(e["msgstr"]))]
    # Entries whose Thai has no Thai letter: units, codes and brand names only.
    assert all(len(m) <= 12 or "%" in m for m in english), english


# -- the moved wordings, as pages show them -------------------------------------------------


@pytest.fixture
def boss(db, world) -> Client:
    aw = build_admin_world(world)
    aw.users["central"].is_superuser = True
    aw.users["central"].save()
    client = Client()
    client.force_login(aw.users["central"])
    return client


def _page(client: Client, lang: str, url: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize(
    ("url", "thai", "english"),
    [
        # gettext_lazy in a list filter, with the Thai naming the window the English omits
        (
            "/admin/fleet/kiosk/",
            ["สถานะตู้", f"ออนไลน์ (ภายใน {ONLINE_MINUTES} นาที)", f"ขาดการติดต่อเกิน {STALE_HOURS} ชม."],
            ["Kiosk state", ">online<", ">offline<", f"seen within {STALE_HOURS} h"],
        ),
        # ngettext and {% blocktranslate count %}: one Thai form, two English forms
        (
            "/admin/fleet/enrolmentcode/issue/",
            [f"หมดอายุใน {TTL} ชั่วโมง", "หน้าหลัก"],
            [f"It expires in {TTL} hours.", "Home"],
        ),
        # the same English word with two Thai wordings (pgettext)
        (
            "/admin/ratings/rating/",
            ["เฉย ๆ", "เรื่องที่ประเมิน"],
            ["neutral", "About"],
        ),
        ("/admin/insights/", ["ช่วง 95%", "ไม่เรียกสำเนา"], ["95% interval", "No Copy"]),
        ("/admin/audit/auditlog/", ["การกระทำ", "ประเภทข้อมูล"], ["action", "object type"]),
    ],
)
def test_moved_wordings_in_thai_and_english(boss, url, thai, english):
    th, en = _page(boss, "th", url), _page(boss, "en", url)
    assert [w for w in thai if w not in th] == []
    assert [w for w in english if w not in en] == []
    assert not THAI.search(re.sub(r"<(script|style)\b.*?</\1>", "", en.replace("ไทย", "")))
