"""The network roles self-assessment: coordinators' overview and the personal-link pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from bridgework.analysis.network_roles import ROLE_LABELS
from bridgework.analysis.roles_assessment import ASSESSMENT_ROLES, ITEMS, SCALE, score_assessment
from bridgework.directory.models import Role
from bridgework.networks import results, selectors, services
from bridgework.web.tenancy import network_view, public_view

LABELS = {**ROLE_LABELS, "challenger": "Challenger"}


@network_view(Role.COORDINATOR)
def overview(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        count = services.roles_invitations_create(network=request.network)
        messages.success(request, f"{count} link{'s' if count != 1 else ''} sent.")
        return redirect("networks:roles", network=request.network.slug)
    wave = selectors.network_waves_for(request.network).order_by("-closes_at").first()
    data = results.roles_overview(request.network.pk, min_group_size=5, wave=wave)
    mix = data["mix"]
    return render(
        request,
        "networks/roles/index.html",
        {
            "mix": mix,
            "mix_rows": [
                {
                    "label": LABELS.get(role, role.title()),
                    "count": (mix.primary_counts or {}).get(role),
                    "mean": (mix.mean_scores or {}).get(role),
                }
                for role in ASSESSMENT_ROLES
            ],
            "rows": data["rows"],
            "labels": LABELS,
            "invited": selectors.roles_invitations_for(request.network).count(),
            "wave": wave,
            "page_title": "Network roles self-assessment",
        },
    )


@public_view
@never_cache
def respond(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.roles_invitation_for_token(token)
    if invitation is None:
        return render(
            request,
            "surveys/respond/invalid.html",
            {"page_title": "This link does not work"},
            status=404,
        )
    errors = []
    answers = dict(invitation.answers)
    if request.method == "POST":
        answers = {item.id: request.POST.get(item.id, "") for item in ITEMS}
        valid = {k: v for k, v in answers.items() if v in {str(i) for i in SCALE}}
        if len(valid) < len(ITEMS):
            errors.append("Answer every statement.")
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
            "text": item.text,
            "options": [
                (str(v), label, str(answers.get(item.id, "")) == str(v))
                for v, label in SCALE.items()
            ],
        }
        for item in ITEMS
    ]
    return render(
        request,
        "networks/roles/respond.html",
        {
            "token": token,
            "items": items,
            "errors": errors,
            "consent": invitation.consent,
            "profile": [
                {
                    "label": LABELS.get(role, role.title()),
                    "score": profile.scores.get(role),
                    "primary": role in profile.primary,
                }
                for role in ASSESSMENT_ROLES
            ]
            if profile
            else None,
            "page_title": "Your network role" if profile else "What role do you play?",
        },
    )
