"""``{% load cp %}``: ``{% tr "ไทย" "English" %}`` picks the wording for the active
language (see ``central.web.labels``)."""

from django import template

from central.web.labels import is_english

register = template.Library()


@register.simple_tag
def tr(th: str, en: str) -> str:
    return en if is_english() else th


@register.simple_tag
def cp_lang() -> str:
    return "en" if is_english() else "th"
