"""The owner's form for a new API token: what it is for and what it may read."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.api.models import Scope
from bridgework.web.forms import Form


class ApiTokenForm(Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        help_text=_("For example: the county's dashboard. Shown in this list only."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may read"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People in the directory are shared only with a token given that scope."),
        error_messages={"required": "Choose at least one thing the token may read."},
    )
