"""Network mapping forms: GOV.UK markup through ``bridgework.web.forms``; no logic here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bridgework.analysis.privacy import DEFAULT_MIN_GROUP_SIZE
from bridgework.directory.models import MIN_GROUP_SIZE_VALIDATORS, Network, Organisation
from bridgework.ona.models import OUTSIDE_CONTACTS_MAX, NetworkWave
from bridgework.ona.services import outside_contact_names
from bridgework.waves.models import MAX_REMINDER_EVERY_DAYS
from bridgework.web.forms import Form

SCALE = [(str(i), str(i)) for i in range(1, 6)]


class NetworkWaveForm(Form):
    name = forms.CharField(max_length=200, help_text=_("For example: Network map 2026."))
    opens_at = forms.DateTimeField(label=_("Opens"), help_text=_("For example: 2026-03-01 09:00"))
    closes_at = forms.DateTimeField(label=_("Closes"), help_text=_("For example: 2026-03-21 17:00"))
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave empty to ask everyone in the directory."),
    )
    min_group_size = forms.IntegerField(
        validators=MIN_GROUP_SIZE_VALIDATORS,
        initial=DEFAULT_MIN_GROUP_SIZE,
        label=_("Minimum group size"),
        help_text=_("Smallest number of respondents behind any figure."),
    )
    reminder_every_days = forms.IntegerField(
        initial=0,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_REMINDER_EVERY_DAYS)],
        label=_("Send reminders every (days)"),
        help_text=_("To those who have not finished. 0 means only when you send them yourself."),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(network=network)
        size = self.fields["min_group_size"]
        size.initial = network.min_group_size
        # New waves start from the network's minimum, which also applies when it is larger.
        size.help_text += f" The network's minimum ({network.min_group_size}) applies if larger."

    @staticmethod
    def initial_for(wave: NetworkWave) -> dict[str, Any]:
        return {
            "name": wave.name,
            "opens_at": wave.opens_at,
            "closes_at": wave.closes_at,
            "organisations": list(wave.organisations.all()),
            "min_group_size": wave.min_group_size,
            "reminder_every_days": wave.reminder_every_days,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The survey must close after it opens.")
        return data


class ColleagueForm(Form):
    works_with = forms.TypedChoiceField(choices=SCALE, coerce=int, widget=forms.RadioSelect)
    trust = forms.TypedChoiceField(choices=SCALE, coerce=int, widget=forms.RadioSelect)
    energy = forms.TypedChoiceField(choices=SCALE, coerce=int, widget=forms.RadioSelect)
    ideas = forms.BooleanField(required=False)


class OutsideForm(Form):
    organisations = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label=_("Organisations outside this directory you work with"),
        help_text=format_lazy(
            _("One organisation per line, at most {limit}. Do not give names of people."),
            limit=OUTSIDE_CONTACTS_MAX,
        ),
    )

    def clean_organisations(self) -> list[str]:
        """The distinct names, as the service will store them; too many is an error here, on
        the form, rather than a refusal after posting."""
        names = outside_contact_names(self.cleaned_data["organisations"].splitlines())
        if len(names) > OUTSIDE_CONTACTS_MAX:
            raise forms.ValidationError(
                _("List at most %(limit)s organisations (you listed %(count)s).")
                % {"limit": OUTSIDE_CONTACTS_MAX, "count": len(names)}
            )
        return names


class ConsentForm(Form):
    consent = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label=_("May the network’s coordinators see your name on the network map?"),
        help_text=_("Everyone else only ever sees organisation-level maps."),
    )


class NominationsUploadForm(Form):
    file = forms.FileField(
        label=_("Nominations file (CSV or XLSX)"),
        help_text=_(
            "Columns ego, alter, relation, weight; ego and alter are person ids or emails."
        ),
    )
