"""Survey forms: GOV.UK markup through ``bridgework.web.forms``; no business logic here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from bridgework.analysis.privacy import ABSOLUTE_MAXIMUM, ABSOLUTE_MINIMUM, DEFAULT_MIN_GROUP_SIZE
from bridgework.analysis.rc_instrument import BUILTIN_INSTRUMENT, DIMENSIONS, Instrument
from bridgework.directory.models import MIN_GROUP_SIZE_VALIDATORS, Network, Organisation, Workgroup
from bridgework.surveys.models import Wave, WorkProcess
from bridgework.waves.models import MAX_REMINDER_EVERY_DAYS
from bridgework.web.forms import Form


class WorkProcessForm(Form):
    name = forms.CharField(max_length=200, help_text=_("For example: family reunification."))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    workgroups = forms.ModelMultipleChoiceField(
        queryset=Workgroup.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The workgroups who do the work; their staff answer and are rated."),
    )
    external_targets = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Groups rated but not surveyed"),
        help_text=_("One per line, for example: families, the court."),
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workgroups"].queryset = Workgroup.objects.filter(network=network)

    @staticmethod
    def initial_for(process: WorkProcess) -> dict[str, Any]:
        return {
            "name": process.name,
            "description": process.description,
            "workgroups": list(process.workgroups.all()),
            "external_targets": "\n".join(t.name for t in process.external_targets.all()),
        }

    def external_target_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["external_targets"].splitlines()]


def day_start(day: date, network: Network) -> datetime:
    """Midnight at the start of ``day`` in the network's time zone, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=network.zone)


class WaveForm(Form):
    name = forms.CharField(max_length=200, help_text=_("For example: spring 2026."))
    opens_on = forms.DateField(
        label=_("Opens on"), help_text=_("For example: 2026-03-02."), widget=forms.DateInput()
    )
    closes_on = forms.DateField(
        label=_("Closes at the end of"),
        help_text=_("For example: 2026-03-20."),
        widget=forms.DateInput(),
    )
    respondent_workgroups = forms.ModelMultipleChoiceField(
        queryset=Workgroup.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Who is asked"),
        help_text=_("Everyone active in these workgroups is invited."),
    )
    respondent_organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Only people in these organisations"),
        help_text=_("Leave all unticked to ask everyone in the workgroups."),
    )
    min_group_size = forms.IntegerField(
        initial=DEFAULT_MIN_GROUP_SIZE,
        validators=MIN_GROUP_SIZE_VALIDATORS,
        label=_("Minimum group size"),
        help_text=(
            "No figure is shown that rests on fewer respondents. 5 is usual; it can be "
            f"{ABSOLUTE_MINIMUM} to {ABSOLUTE_MAXIMUM}."
        ),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    reminder_every_days = forms.IntegerField(
        initial=0,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_REMINDER_EVERY_DAYS)],
        label=_("Send reminders every (days)"),
        help_text=_("To those who have not finished. 0 means only when you send them yourself."),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    live_results = forms.BooleanField(
        required=False,
        label=_("Show results while the wave is open"),
        help_text=_("Otherwise results show once the wave has closed."),
    )

    def __init__(self, *args: Any, process: WorkProcess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = process.network
        self.fields["respondent_workgroups"].queryset = process.workgroups.all()
        self.fields["respondent_organisations"].queryset = Organisation.objects.filter(
            network=process.network
        )

    @staticmethod
    def initial_for(wave: Wave) -> dict[str, Any]:
        tz = wave.network.zone
        return {
            "name": wave.name,
            "opens_on": wave.opens_at.astimezone(tz).date(),
            "closes_on": (wave.closes_at.astimezone(tz) - timedelta(seconds=1)).date(),
            "respondent_workgroups": list(wave.respondent_workgroups.all()),
            "respondent_organisations": list(wave.respondent_organisations.all()),
            "min_group_size": wave.min_group_size,
            "reminder_every_days": wave.reminder_every_days,
            "live_results": wave.live_results,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date must be on or after the opening date.")
        return data

    def wave_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "opens_at": day_start(data["opens_on"], self.network),
            "closes_at": day_start(data["closes_on"] + timedelta(days=1), self.network),
            "respondent_workgroups": data["respondent_workgroups"],
            "respondent_organisations": data["respondent_organisations"],
            "min_group_size": data["min_group_size"],
            "reminder_every_days": data["reminder_every_days"],
            "live_results": data["live_results"],
        }


class WordingForm(Form):
    """Question texts and answer labels per dimension; dimension keys and scoring are fixed.

    One block of fields for the network's default language (``question_<key>``,
    ``answers_<key>``) and one for each other language given in ``translations``
    (``question_<code>_<key>``, ``answers_<code>_<key>``).
    """

    frequency_scale = forms.ChoiceField(
        choices=Wave.FrequencyScale.choices, label=_("Answer scale of the frequency question")
    )

    def __init__(
        self,
        *args: Any,
        instrument: Instrument,
        translations: Mapping[str, Instrument] | None = None,
        default_language: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("frequency_scale", instrument.frequency_scale)
        self.default_language = default_language
        self.translations = dict(translations or {})
        names = dict(settings.LANGUAGES)
        blocks = [("", instrument), *self.translations.items()]
        for code, words in blocks:
            prefix = f"{code}_" if code else ""
            shown = f"{names.get(code or default_language, code)} – " if self.translations else ""
            for item in words.items:
                self.fields[f"question_{prefix}{item.key}"] = forms.CharField(
                    label=f"{shown}{item.label}: question",
                    initial=item.question,
                    max_length=500,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    help_text=_(
                        "Write {target} where the group rated goes, {work_process} for the process."
                    ),
                )
                self.fields[f"answers_{prefix}{item.key}"] = forms.CharField(
                    label=f"{shown}{item.label}: answers",
                    initial="\n".join(item.answer_labels),
                    widget=forms.Textarea(attrs={"rows": 5}),
                    help_text=_("Five answers, one per line, from lowest to highest."),
                )
        for name, field in self.fields.items():
            if name != "frequency_scale":
                field.widget.attrs["class"] = "govuk-textarea"
                field.widget.attrs["aria-describedby"] = f"id_{name}-hint"

    def _prefixes(self) -> list[str]:
        return ["", *(f"{code}_" for code in self.translations)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for prefix in self._prefixes():
            for key in DIMENSIONS:
                answers = data.get(f"answers_{prefix}{key}")
                if answers is not None and len(_lines(answers)) != 5:
                    self.add_error(
                        f"answers_{prefix}{key}", "Give exactly five answers, one per line."
                    )
        return data

    def _block(self, prefix: str, language: str, scale: str) -> dict[str, Any]:
        data = self.cleaned_data
        base = BUILTIN_INSTRUMENT.with_frequency_scale(scale).with_language(language)
        answers = {key: _lines(data[f"answers_{prefix}{key}"]) for key in DIMENSIONS}
        if scale != self.initial.get("frequency_scale"):
            # Changing the scale brings the scale's own labels for the frequency question.
            answers["frequent"] = list(base.item("frequent").answer_labels)
        return {
            "questions": {key: data[f"question_{prefix}{key}"] for key in DIMENSIONS},
            "answer_labels": answers,
        }

    def wording(self) -> dict[str, Any]:
        scale = self.cleaned_data["frequency_scale"]
        wording: dict[str, Any] = {
            "frequency_scale": scale,
            **self._block("", self.default_language, scale),
        }
        if self.translations:
            wording["translations"] = {
                code: self._block(f"{code}_", code, scale) for code in self.translations
            }
        return wording


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class AnswerForm(Form):
    """The seven questions about one target and "I don't work with this group"."""

    not_applicable = forms.BooleanField(required=False)

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in instrument.items:
            self.fields[item.key] = forms.TypedChoiceField(
                choices=[(i, label) for i, label in enumerate(item.answer_labels, start=1)],
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("not_applicable") and all(data.get(k) is None for k in DIMENSIONS):
            raise forms.ValidationError(
                _("Answer the questions, or tick “I don’t work with this group”.")
            )
        return data
