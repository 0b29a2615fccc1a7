"""Network survey waves and their organisation-level summary (``read:results``).

The summary is the organisation map page's figures, from
:func:`bridgework.ona.results.organisation_figures`: computed from the wave's last release
(or its frozen figures), with organisations under the minimum group size suppressed, so a look
before and after one more answer shows the same. Named maps are not in the API at all: they
are for the network's coordinators on the page, and only for people who consented.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from bridgework.api.auth import token_auth
from bridgework.api.models import Scope
from bridgework.api.pagination import Page
from bridgework.api.routes.common import ERRORS, ErrorOut, RecordId
from bridgework.ona import analyses, results, selectors
from bridgework.ona.models import AnalysisRequest, NetworkWave

router = Router(tags=["network surveys"], auth=token_auth(Scope.RESULTS))

#: What the summary answers while a large network's figures are being computed.
PREPARING = (
    "The figures of this wave are being computed in the background, as the network is large. "
    "Ask again in a minute."
)
#: Seconds a client is asked to wait before asking again.
RETRY_AFTER_SECONDS = 60


class NetworkWaveOut(Schema):
    id: int
    name: str
    status: str
    opens_at: datetime
    closes_at: datetime
    min_group_size: int

    @staticmethod
    def resolve_min_group_size(wave: NetworkWave) -> int:
        return wave.min_group_size_in_force


class OrganisationRowOut(Schema):
    name: str
    size: int
    visible: bool
    respondents: int | None
    response_rate: float | None
    ties_within: int | None
    ties_out: int | None
    ties_in: int | None
    density_within: float | None
    ei_index: float | None
    share_no_outside_tie: float | None
    isolates: int | None


class MatrixRowOut(Schema):
    name: str
    visible: bool
    cells: list[float | None]


class LinkOut(Schema):
    source: str
    target: str
    ties: int


class RoleCountOut(Schema):
    label: str
    explanation: str
    count: int | None


class OutsideOut(Schema):
    name: str
    people: int


class ValidityOut(Schema):
    people: int
    respondents: int
    percent: int | None
    threshold: int
    rate_warning: str | None
    warnings: list[str]
    robust: list[str]
    sensitive: list[str]


class NetworkSummaryOut(Schema):
    wave: NetworkWaveOut
    relation: str
    strength: int | None
    relations: list[str]
    min_group_size: int
    validity: ValidityOut
    organisations: list[OrganisationRowOut]
    suppressed: list[str]
    density: list[MatrixRowOut]
    links: list[LinkOut]
    role_counts: list[RoleCountOut]
    isolates: int | None
    components: int | None
    outside: list[OutsideOut]
    outside_hidden: int | None


class SummaryQuery(Schema):
    relation: str = ""
    strength: int | None = None


def _validity(note: dict[str, Any]) -> dict[str, Any]:
    validity = note["validity"]
    counts = validity if isinstance(validity, dict) else validity.to_dict()
    return {
        "people": counts["people"],
        "respondents": counts["respondents"],
        "percent": note["percent"],
        "threshold": note["threshold"],
        "rate_warning": note["rate_warning"],
        "warnings": list(note["warnings"]),
        "robust": list(note["robust"]),
        "sensitive": list(note["sensitive"]),
    }


def summary_document(wave: NetworkWave, *, relation: str, strength: int | None) -> dict[str, Any]:
    """The organisation map page's figures for these filters, as the page reads them
    (an unknown relation or strength falls back to all, as on the page)."""
    choices = results.relations(wave)
    relation = relation if relation in {value for value, _ in choices} else ""
    strength = strength if strength in results.STRENGTHS else None
    figures = results.organisation_figures(
        wave, relation=relation or None, min_weight=strength, wait=False
    )
    org, note = figures["org"], figures["note"]
    outside = results.outside_contacts(wave)
    return {
        "wave": wave,
        "relation": relation,
        "strength": strength,
        "relations": [value for value, _ in choices],
        "min_group_size": wave.min_group_size_in_force,
        "validity": _validity(note),
        "organisations": [
            {key: row.get(key) for key in OrganisationRowOut.model_fields} for row in org["summary"]
        ],
        "suppressed": list(org["suppressed"]),
        "density": org["matrix"],
        "links": org["links"],
        "role_counts": org["role_counts"],
        "isolates": org["network"]["isolates"],
        "components": org["network"]["components"],
        "outside": [{"name": name, "people": count} for name, count in outside.shown],
        "outside_hidden": outside.hidden,
    }


@router.get(
    "/waves", url_name="network_survey_waves", response={200: list[NetworkWaveOut], **ERRORS}
)
@paginate(Page)
def waves(request: HttpRequest):
    """The network's network-survey waves, oldest first."""
    return (
        selectors.network_waves_for(request.auth.network)
        .select_related("network")
        .order_by("opens_at", "pk")
    )


@router.get(
    "/waves/{wave_id}/summary",
    url_name="network_survey_summary",
    response={200: NetworkSummaryOut, 503: ErrorOut, **ERRORS},
)
def summary(
    request: HttpRequest,
    response: HttpResponse,
    wave_id: RecordId,
    filters: Query[SummaryQuery] = None,
):
    """Organisation-level figures of the wave: what its organisation map page shows. On a
    large network whose figures are not ready yet, 503 with ``Retry-After``: the worker is
    computing them (the same job the page starts), so ask again later."""
    wave = selectors.network_wave_for(request.auth.network, wave_id)
    filters = filters or SummaryQuery()
    try:
        return summary_document(wave, relation=filters.relation, strength=filters.strength)
    except results.AnalysisPendingError:
        choices = {value for value, _ in results.relations(wave)}
        analyses.analysis_prepare(
            wave=wave,
            page=AnalysisRequest.Page.ORGANISATIONS,
            relation=filters.relation if filters.relation in choices else None,
            min_weight=filters.strength if filters.strength in results.STRENGTHS else None,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return Status(503, {"detail": PREPARING})
