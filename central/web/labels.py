"""Language helpers of the admin UI.

Every wording of the interface goes through Django's gettext (``gettext_lazy`` on models,
admin classes and views, ``{% translate %}`` in templates; the Thai is in
``central/locale/th/LC_MESSAGES/django.po``, see docs/i18n.md). What stays here is for
*data* that is stored in both languages (``name_th`` / ``name_en`` columns of services,
agencies, areas...): which column to show depends on the language active for the request.
"""

from __future__ import annotations

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "th").startswith("en")
