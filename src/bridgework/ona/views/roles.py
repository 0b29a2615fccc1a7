"""The network roles self-assessment: the overview and the personal-link pages.

Everyone in the network (analysts included) sees the mix across the network, which is
suppressed under the minimum group size; only coordinators see names (self-view beside network
view, for people who consented) and send links.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache

from bridgework.analysis.roles_assessment import (
    ASSESSMENT_ROLES,
    ITEMS,
    SCALE,
    item_text,
    scale_labels,
    score_assessment,
)
from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory.models import Role
from bridgework.jobs import selectors as jobs
from bridgework.jobs.services import job_start
from bridgework.ona import analyses, results, selectors, services
from bridgework.ona import jobs as network_jobs
from bridgework.ona.models import AnalysisRequest
from bridgework.web.middleware import activate_network_time
from bridgework.web.personal_links import link_not_valid, personal_language
from bridgework.web.tenancy import network_view, public_view

#: The roles' names as people read them (the core's labels, translated when shown).
LABELS = {
    "broker": gettext_lazy("Broker"),
    "connector": gettext_lazy("Connector"),
    "energiser": gettext_lazy("Energiser"),
    "challenger": gettext_lazy("Challenger"),
    "peripheral": gettext_lazy("Peripheral"),
}

#: What each self-assessed role means, in plain words (the page shows it beside the scores).
ROLE_MEANINGS = {
    "broker": gettext_lazy(
        "You link people and groups who would not otherwise meet, so ideas and "
        "information travel between them."
    ),
    "connector": gettext_lazy(
        "You are a trusted hub of your own group: people come to you, and you help "
        "the group pull together."
    ),
    "energiser": gettext_lazy(
        "People leave time with you with more energy than they came with; you draw "
        "colleagues into new work."
    ),
    "challenger": gettext_lazy(
        "You question how things are done and bring in better ways from elsewhere."
    ),
}


def _labels(roles: list[str]) -> list[str]:
    return [LABELS.get(role, role.title()) for role in roles]


@network_view()
def overview(request: HttpRequest) -> HttpResponse:
    is_coordinator = request.membership.has_role(Role.COORDINATOR)
    if request.method == "POST":
        if not is_coordinator:
            raise PermissionDenied(gettext("Sending links needs the Coordinator role."))
        job = job_start(
            network=request.network,
            kind=network_jobs.ROLES_INVITATIONS,
            target=request.network,
            requested_by=request.user,
        )
        audit_record(
            network=request.network,
            action=Action.SURVEY_INVITATIONS_SENT,
            details={"survey": "roles self-assessment", "job": job.pk},
            request=request,
        )
        return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)
    wave = selectors.latest_network_wave(request.network)
    min_group_size = wave.min_group_size_in_force if wave else request.network.min_group_size
    analysis_job = None
    try:
        data = results.roles_overview(
            request.network.pk,
            min_group_size=min_group_size,
            wave=wave if is_coordinator else None,
            wait=False,
        )
    except results.AnalysisPendingError:
        # A large network's roles are computed by a job: the page links to its progress.
        analysis_job = analyses.analysis_prepare(
            wave=wave, page=AnalysisRequest.Page.PEOPLE, requested_by=request.user
        )
        data = results.roles_overview(
            request.network.pk,
            min_group_size=min_group_size,
            # None: another job has just put them in the cache, so they are read from there.
            wave=None if analysis_job is not None else wave,
        )
    mix = data["mix"]
    return render(
        request,
        "ona/roles/index.html",
        {
            "mix": mix,
            "min_group_size": min_group_size,
            "mix_rows": [
                {
                    "label": LABELS.get(role, role.title()),
                    "meaning": ROLE_MEANINGS[role],
                    "count": (mix.primary_counts or {}).get(role),
                    "mean": (mix.mean_scores or {}).get(role),
                }
                for role in ASSESSMENT_ROLES
            ],
            "rows": [
                {
                    "name": row["name"],
                    "self": _labels(row["self_primary"]),
                    "network": _labels(row["network_roles"]),
                    "network_shown": row["network_shown"],
                    "agree": _labels(row["agree"]),
                }
                for row in data["rows"]
            ]
            if is_coordinator
            else [],
            "is_coordinator": is_coordinator,
            "invited": selectors.roles_invitations_for(request.network).count(),
            "latest_job": jobs.latest_job_for(
                request.network,
                kinds=(network_jobs.ROLES_INVITATIONS,),
                target_id=request.network.pk,
            )
            if is_coordinator
            else None,
            "wave": wave,
            "analysis_job": analysis_job,
            "page_title": gettext("Network roles self-assessment"),
        },
    )


@public_view
@never_cache
def respond(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.roles_invitation_for_token(token)
    if invitation is None:
        return link_not_valid(request)
    activate_network_time(invitation.network)
    switched = personal_language(request, invitation.person)
    if switched is not None:
        return switched
    errors = []
    answers = dict(invitation.answers)
    if request.method == "POST":
        answers = {item.id: request.POST.get(item.id, "") for item in ITEMS}
        valid = {k: v for k, v in answers.items() if v in {str(i) for i in SCALE}}
        if len(valid) < len(ITEMS):
            errors.append(gettext("Answer every statement."))
        else:
            services.roles_answers_save(
                invitation=invitation,
                answers=valid,
                consent=request.POST.get("consent") == "yes",
            )
            return redirect("roles_respond:start", token=token)
    profile = score_assessment(invitation.answers) if invitation.completed_at else None
    items = [
        {
            "id": item.id,
            "text": item_text(item, translation.get_language()),
            "options": [
                (str(v), label, str(answers.get(item.id, "")) == str(v))
                for v, label in scale_labels(translation.get_language()).items()
            ],
        }
        for item in ITEMS
    ]
    return render(
        request,
        "ona/roles/respond.html",
        {
            "token": token,
            "items": items,
            "errors": errors,
            "consent": invitation.consent,
            "profile": [
                {
                    "label": LABELS.get(role, role.title()),
                    "meaning": ROLE_MEANINGS[role],
                    "score": profile.scores.get(role),
                    "primary": role in profile.primary,
                }
                for role in ASSESSMENT_ROLES
            ]
            if profile
            else None,
            "has_primary": bool(profile and profile.primary),
            "page_title": gettext("Your network role")
            if profile
            else gettext("What role do you play?"),
        },
    )
