"""Forms of coordinators' and participants' programme pages (GOV.UK markup via web.forms)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.directory.models import Network, validate_time_zone
from bridgework.matching import MAX_HOLDOUT_SHARE
from bridgework.programmes.models import HOLDOUT_SHARE_MESSAGE, Enrolment, Guide, Programme
from bridgework.web.forms import Form, ModelForm

PROGRAMME_FIELDS = [
    "name",
    "description",
    "audience",
    "organisations",
    "cadence",
    "weekday",
    "meeting_time",
    "time_zone",
    "group_size",
    "odd_rule",
    "prefer_other_agencies",
    "require_other_agencies",
    "no_repeat_months",
    "bridge_weak_rc",
    "avoid_network_ties",
    "match_interests",
    "holdout_share",
    "guide",
    "auto_publish",
    "active",
]

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class ProgrammeForm(ModelForm):
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int, label=_("Rounds start on"))
    group_size = forms.TypedChoiceField(
        choices=[(2, _("Pairs")), (3, _("Trios"))], coerce=int, label=_("Group size")
    )
    holdout_share = forms.FloatField(
        label=f"Share held out at random each round, for the evaluation (0–{MAX_HOLDOUT_SHARE:g})",
        min_value=0.0,
        max_value=MAX_HOLDOUT_SHARE,
        initial=0.0,
        error_messages={
            "min_value": HOLDOUT_SHARE_MESSAGE,
            "max_value": HOLDOUT_SHARE_MESSAGE,
        },
    )

    class Meta:
        model = Programme
        fields = PROGRAMME_FIELDS
        labels = {
            "audience": "Who can take part",
            "meeting_time": "Suggested meeting time",
            "odd_rule": "When the numbers are odd",
            "prefer_other_agencies": "Prefer people from other agencies",
            "require_other_agencies": "Only ever pair people from different agencies",
            "no_repeat_months": "Never pair the same people again within this many months",
            "bridge_weak_rc": "Bridge workgroups whose coordination is weak in the latest RC wave",
            "match_interests": "Prefer people with shared interests",
            "avoid_network_ties": "Prefer people not already tied in the latest network survey",
            "guide": "Conversation guide",
            "auto_publish": "Publish rounds automatically when they start",
        }
        widgets = {"meeting_time": forms.TimeInput(format="%H:%M")}

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = network.organisations.all()
        self.fields["organisations"].widget = forms.CheckboxSelectMultiple()
        self.fields["organisations"].widget.choices = self.fields["organisations"].choices
        self.fields["guide"].queryset = Guide.objects.filter(network=network)

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        if not value:
            raise forms.ValidationError("Enter a time zone such as Europe/London.")
        validate_time_zone(value)
        return value


class GuideForm(ModelForm):
    class Meta:
        model = Guide
        fields = ["title", "summary", "body"]


class ProfileForm(Form):
    works_on = forms.CharField(label=_("What I work on"), max_length=300, required=False)
    interests = forms.CharField(
        label=_("Interests"), max_length=300, required=False, help_text=_("Separate with commas.")
    )
    meeting_mode = forms.ChoiceField(label=_("How I can meet"), choices=Enrolment.Mode.choices)
    location = forms.CharField(
        label=_("Where I work"),
        max_length=200,
        required=False,
        help_text=_("Needed to meet in person."),
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_("For example Europe/London."),
    )

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        if value:
            validate_time_zone(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("meeting_mode") == "in_person" and not data.get("location"):
            self.add_error("location", _("Say where you work, to meet in person."))
        return data


class SignupForm(ProfileForm):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Work email address"))
    organisation_name = forms.CharField(label=_("Your organisation"), max_length=200)
    job_title = forms.CharField(label=_("Your role"), max_length=200, required=False)
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to take part"),
        error_messages={"required": _("Agree to the privacy notice to take part.")},
    )
    field_order = ["name", "email", "organisation_name", "job_title"]


class PauseForm(Form):
    until = forms.DateField(
        label=_("Pause until"), help_text=_("For example 2027-01-31."), widget=forms.DateInput()
    )


class MatchTimeForm(Form):
    """A new suggested time for a published match, in the programme's time zone."""

    day = forms.DateField(
        label=_("Day"),
        help_text=_("For example 2027-03-16."),
        widget=forms.DateInput(format="%Y-%m-%d"),
    )
    at = forms.TimeField(
        label=_("Time"), help_text=_("For example 14:30."), widget=forms.TimeInput(format="%H:%M")
    )


class FeedbackForm(Form):
    met = forms.TypedChoiceField(
        label=_("Did you meet?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
    )
    usefulness = forms.TypedChoiceField(
        label=_("How useful was it? (1 not at all, 5 very)"),
        choices=[("", _("Choose")), *[(str(i), str(i)) for i in range(1, 6)]],
        coerce=int,
        required=False,
        empty_value=None,
    )
    will_work_together = forms.BooleanField(
        label=_("We will work together on something"), required=False
    )
    reflection = forms.CharField(label=_("One line of reflection"), max_length=300, required=False)
