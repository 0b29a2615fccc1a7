"""A batch's emails rendered from one stencil per template and language are the emails a
full rendering writes, and a template that does more than print a recipient's values is
rendered in full."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import translation

from bridgework.mail.models import OutboxMessage
from bridgework.mail.services import BatchEmail, email_queue_batch
from bridgework.mail.stencils import Stencil

NAMES = ["Ana", "O'Brien & <Sons>", 'Zoë "Z" Ng', "", "Ürsula\nSecond line"]


def _template(source: str):
    return engines["django"].from_string(source)


@pytest.mark.parametrize("name", NAMES)
def test_a_filled_stencil_is_the_full_rendering_escaped_where_the_template_escapes(name):
    template = _template(
        "{% load i18n %}<p>{% blocktranslate with name=person.name %}Hello {{ name }},"
        "{% endblocktranslate %}</p><a href='{{ site_url }}{{ path }}'>{{ path }}</a>"
        "{% autoescape off %}{{ person.name }}{% endautoescape %}"
    )
    shared = {"site_url": "https://x.example"}
    own = {"person": SimpleNamespace(name=name), "path": "/s/a&b/"}
    stencil = Stencil.render(template, shared, list(own))
    assert stencil.fill(own) == template.render({**shared, **own})


def test_a_value_that_is_tested_filtered_or_not_text_is_not_filled():
    upper = Stencil.render(_template("{{ person.name|upper }}"), {}, ["person"])
    assert upper.fill({"person": SimpleNamespace(name="ana")}) is None
    number = Stencil.render(_template("{{ person.age }}"), {}, ["person"])
    assert number.fill({"person": SimpleNamespace(age=3)}) is None
    missing = Stencil.render(_template("{{ person.name }}"), {}, ["person"])
    assert missing.fill({"person": SimpleNamespace()}) is None


def _emails(n: int, language: str | None = None) -> list[BatchEmail]:
    return [
        BatchEmail(
            to=f"p{i}@alpha.example",
            context={"person": SimpleNamespace(name=NAMES[i % len(NAMES)]), "path": f"/r/t{i}/"},
            idempotency_key=f"stencil:{language}:{i}",
            language=language,
        )
        for i in range(n)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", [None, "es"])
def test_a_stencilled_batch_writes_the_same_emails_as_a_rendered_one(network_a, language):
    kwargs = {
        "network": network_a,
        "kind": "roles-invitation",
        "subject": "Hello",
        "template": "ona/emails/roles_invitation",
    }
    fast = email_queue_batch(emails=_emails(7, language), stencil=True, **kwargs)
    slow_emails = [
        BatchEmail(
            to=e.to,
            context=e.context,
            idempotency_key=f"full:{e.idempotency_key}",
            language=e.language,
        )
        for e in _emails(7, language)
    ]
    slow = email_queue_batch(emails=slow_emails, **kwargs)
    fast_rows = list(OutboxMessage.objects.filter(pk__in=fast).order_by("pk"))
    slow_rows = list(OutboxMessage.objects.filter(pk__in=slow).order_by("pk"))
    assert len(fast_rows) == len(slow_rows) == 7
    for a, b in zip(fast_rows, slow_rows, strict=True):
        assert (a.text_body, a.html_body) == (b.text_body, b.html_body)
    assert "O&#x27;Brien &amp; &lt;Sons&gt;" in fast_rows[1].html_body
    assert "/r/t3/" in fast_rows[3].text_body
    if language == "es":
        with translation.override("es"):
            assert translation.gettext("Your personal link:") in fast_rows[0].text_body


@pytest.mark.django_db
def test_a_template_that_tests_a_recipients_value_is_rendered_in_full(
    network_a, tmp_path, settings
):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "tested.txt").write_text("{% if person.vip %}Dear VIP{% else %}Hi{% endif %}")
    (tmp_path / "t" / "tested.html").write_text("<p>{{ person.name }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}
    ]
    emails = [
        BatchEmail(
            to=f"v{i}@alpha.example",
            context={"person": SimpleNamespace(name=f"P{i}", vip=False), "path": "/x/"},
        )
        for i in range(3)
    ]
    ids = email_queue_batch(
        network=network_a, subject="S", template="t/tested", emails=emails, stencil=True
    )
    bodies = list(OutboxMessage.objects.filter(pk__in=ids).values_list("text_body", flat=True))
    assert bodies == ["Hi", "Hi", "Hi"]
