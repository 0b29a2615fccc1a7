"""The served OpenAPI document, checked by schemathesis against the running app: every
operation, with generated parameters (valid and invalid) and a valid token, answers without a
server error and as its schema says. The run is bounded (a few examples per operation) so it
stays well under a minute."""

from __future__ import annotations

import contextlib
import re

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from tests.factories import make_survey, published_round
from tests.web.api_client import Api
from tests.web.api_data import answer, close, make_network_survey

#: Unknown query parameters are ignored, as HTTP APIs usually do, so none are generated; the
#: token is the test's own (valid) one, sent with every request.
CONFIG = schemathesis.Config.from_dict(
    {"generation": {"allow-extra-parameters": False, "with-security-parameters": False}}
)

#: Examples per operation: enough to try both bounds of every parameter and a few ids.
MAX_EXAMPLES = 10


@contextlib.contextmanager
def _wsgi_in_the_test_transaction():
    """Django's WSGI handler closes the database connection after each request, which would
    end the test's transaction; the test client disconnects that for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_the_openapi_document_is_served_and_the_docs_need_no_cdn():
    client = Client()
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    assert len(document["paths"]) == 14
    assert not [p for p in document["paths"] if "people" in p and "network-surveys" in p]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.findall(r"""(?:src|href)=["']https?://""", html)
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", html):
        assert client.get(asset).status_code == 200, asset


@pytest.mark.django_db
def test_schemathesis_finds_no_failure_in_any_operation(network_a):
    survey = make_survey(network_a, sizes=(6, 2, 7))
    answer(survey)
    close(survey.wave)
    round_ = published_round(network_a)
    # Generated ids rarely exist: each operation also runs with real ones.
    real_ids = {
        "person_id": network_a.people.first().pk,
        "wave_id": survey.wave.pk,
        "programme_id": round_.programme_id,
    }
    network_wave_id = make_network_survey(network_a)[0].pk
    api = Api(network_a)
    headers = {"Authorization": f"Bearer {api.plain}"}
    with _wsgi_in_the_test_transaction() as app:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 14
        statuses: dict[str, set[int]] = {}
        runs = []
        for operation in operations:
            names = {p.name for p in operation.path_parameters}
            pinned = {name: real_ids[name] for name in names}
            if "network-surveys" in operation.path:
                pinned = {"wave_id": network_wave_id} if names else {}
            runs.append(operation.as_strategy(GenerationMode.POSITIVE))
            if len(operation.path_parameters) or len(operation.query):
                runs.append(operation.as_strategy(GenerationMode.NEGATIVE))
            if pinned:
                runs.append(operation.as_strategy(path_parameters=pinned))
        for strategy in runs:

            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def check(case):
                response = case.call_and_validate(headers=headers)
                statuses.setdefault(case.operation.label, set()).add(response.status_code)

            check()
    # Not vacuous: every operation answered, most of them with real data.
    assert len(statuses) == 14
    ok = [label for label, seen in statuses.items() if 200 in seen]
    assert len(ok) == 14, statuses
    assert any(422 in seen for seen in statuses.values()), statuses
