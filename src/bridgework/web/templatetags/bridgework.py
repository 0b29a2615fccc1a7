"""Template helpers shared by every page."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms, template
from django.forms.boundfield import BoundField
from django.http import QueryDict
from django.utils.text import get_text_list
from django.utils.translation import gettext

register = template.Library()


@register.filter
def widget_kind(field: BoundField) -> str:
    """The GOV.UK pattern a field renders as: checkboxes (several choices), checkbox, select,
    textarea, file or input."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = str(value)
    return query.urlencode()


@register.simple_tag(takes_context=True)
def query_page(context: template.Context, param: str, number: int) -> str:
    """The current query string with page parameter ``param`` set to ``number``."""
    query: QueryDict = context["request"].GET.copy()
    query[param or "page"] = str(number)
    return query.urlencode()


@register.filter
def attribute(obj: object, dotted: str) -> object:
    """Follow a dotted attribute path (``"organisation.name"``) for generic tables."""
    for name in dotted.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


@register.filter
def names_and(items: Iterable[object], attr: str = "name") -> str:
    """``"Ana, Ben and Cai"`` from objects' (or dicts') ``attr``, with "and" in the active
    language."""
    names = [
        str(item.get(attr) if isinstance(item, dict) else getattr(item, attr)) for item in items
    ]
    return get_text_list(names, gettext("and"))
