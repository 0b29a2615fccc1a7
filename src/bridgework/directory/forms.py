"""Directory forms. Choices are always limited to the active network's records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from bridgework.directory.models import Network, Organisation, Person, Team, Workgroup
from bridgework.web.forms import Form, ModelForm


class NetworkSettingsForm(ModelForm):
    """An owner's privacy settings for the whole network."""

    class Meta:
        model = Network
        fields = ["min_group_size", "retention_days"]
        labels = {"min_group_size": "Minimum group size"}
        help_texts = {
            "min_group_size": "Smallest number of respondents behind any figure shown, in every "
            "survey and programme of the network (3 or more; 5 is usual). A survey can ask "
            "for more, never less."
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not a privacy setting: blank (a form posted without it) leaves the language as is.
        self.fields["default_language"] = forms.ChoiceField(
            label=_("Default language"),
            choices=settings.LANGUAGES,
            required=False,
            initial=self.instance.default_language,
            help_text=_(
                "Emails and survey pages use it for people without a language of their "
                "own; each person can choose theirs on any survey page."
            ),
        )


class OrganisationForm(ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "short_name", "kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class WorkgroupForm(ModelForm):
    class Meta:
        model = Workgroup
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class TeamForm(ModelForm):
    class Meta:
        model = Team
        fields = ["organisation", "name"]

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.network = network
        self.fields["organisation"].queryset = Organisation.objects.filter(network=network)


class PersonForm(ModelForm):
    class Meta:
        model = Person
        fields = [
            "name",
            "email",
            "organisation",
            "team",
            "workgroup",
            "job_title",
            "location",
            "time_zone",
            "language",
            "manager",
        ]
        help_texts = {"time_zone": _("For example Europe/London or America/Los_Angeles.")}

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.network = network
        default = dict(settings.LANGUAGES).get(network.default_language, network.default_language)
        self.fields["language"] = forms.ChoiceField(
            choices=[
                ("", _("The network's default (%(language)s)") % {"language": default}),
                *settings.LANGUAGES,
            ],
            required=False,
            help_text=_(
                "Their emails and survey pages are in this language; they can change it "
                "from any survey page."
            ),
        )
        self.fields["organisation"].queryset = Organisation.objects.filter(network=network)
        self.fields["team"].queryset = Team.objects.filter(network=network).select_related(
            "organisation"
        )
        self.fields["workgroup"].queryset = Workgroup.objects.filter(network=network)
        managers = Person.objects.filter(network=network, active=True)
        if self.instance.pk:
            managers = managers.exclude(pk=self.instance.pk)
        self.fields["manager"].queryset = managers
        self.fields["email"].widget.attrs.update(spellcheck="false", autocomplete="off")


class PeopleSearchForm(Form):
    q = forms.CharField(
        label=_("Search"), required=False, help_text=_("Name, email, job title or location")
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, empty_label=_("Any organisation")
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label=_("Any team")
    )
    workgroup = forms.ModelChoiceField(
        queryset=Workgroup.objects.none(), required=False, empty_label=_("Any workgroup")
    )
    status = forms.ChoiceField(
        choices=[("active", _("Active")), ("inactive", _("Deactivated")), ("all", _("All"))],
        required=False,
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(network=network)
        self.fields["team"].queryset = Team.objects.filter(network=network).select_related(
            "organisation"
        )
        self.fields["workgroup"].queryset = Workgroup.objects.filter(network=network)


class PeopleImportForm(Form):
    file = forms.FileField(
        label=_("Upload a people file"),
        help_text=_(
            "CSV or XLSX with columns name and email, and optionally "
            "organisation, team, workgroup, job_title, location, "
            "time_zone, manager_email and active."
        ),
    )
