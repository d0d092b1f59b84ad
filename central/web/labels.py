"""Language helpers of the admin UI.

Model, field and app names and help texts are ``gettext_lazy`` strings on the models and
app configs themselves, translated through the catalogues in ``central/locale`` (see
docs/i18n.md). ``tr(th, en)`` is the older inline form still used by some admin screens: a
lazy string that reads Thai or English depending on the language active for the request.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import get_language


def _pick(th: str, en: str) -> str:
    lang = get_language() or "th"
    return en if lang.startswith("en") else th


tr = lazy(_pick, str)


def is_english() -> bool:
    return (get_language() or "th").startswith("en")
