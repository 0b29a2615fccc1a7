from __future__ import annotations

from django import forms

from bridgework.web.forms import Form


class EraseForm(Form):
    confirm = forms.BooleanField(
        label="I understand that this person and every record about them will be deleted for good",
        error_messages={"required": "Tick the box to confirm the erasure"},
    )
