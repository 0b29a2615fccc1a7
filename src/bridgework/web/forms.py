"""Forms rendered with GOV.UK Frontend markup: labels, hints, error messages and classes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting

_WIDGET_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.Select, "govuk-select"),
    (forms.Textarea, "govuk-textarea"),
    (forms.ClearableFileInput, "govuk-file-upload"),
    (forms.FileInput, "govuk-file-upload"),
    (forms.widgets.Input, "govuk-input"),
]


class GovukFormRenderer(TemplatesSetting):
    """Render every form and field through ``templates/components/``."""

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


class GovukFormMixin:
    """Adds GOV.UK classes, error classes and ``aria-describedby`` to every widget.

    Error markup is added after validation (never in ``__init__``): touching ``errors`` early
    would validate before subclasses narrow their querysets to the network.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            css = next((c for kind, c in _WIDGET_CLASSES if isinstance(widget, kind)), "")
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}-hint"

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if field is None:
                continue
            widget = field.widget
            css = next((c for kind, c in _WIDGET_CLASSES if isinstance(widget, kind)), "")
            if css and "checkboxes" not in css:
                widget.attrs["class"] += f" {css}--error"
            described = widget.attrs.get("aria-describedby", "")
            widget.attrs["aria-describedby"] = f"{described} id_{name}-error".strip()


class Form(GovukFormMixin, forms.Form):
    pass


class ModelForm(GovukFormMixin, forms.ModelForm):
    pass
