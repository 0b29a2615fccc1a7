"""The network roles self-assessment: a short questionnaire and its scoring.

Sixteen statements, four for each of the roles Arena (2018) describes in his Adaptive Space
model — **Broker** (links groups), **Connector** (a trusted hub of a close group),
**Energiser** (draws people in) and **Challenger** (questions how things are done) — answered
on a 1–5 agreement scale. The wording is Bridgework's own; the role model is Arena's. Anyone
can take it through a link; each person sees their profile, and coordinators see the mix
across the network and, for people who consent, the self-view beside the network view.

It is a reflective tool, not a validated psychometric scale: scores are item means and the
profile is shown to the person to start a conversation, never used to rank people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bridgework.analysis.privacy import check_min_group_size

__all__ = [
    "ASSESSMENT_ROLES",
    "ITEMS",
    "SCALE",
    "TEXTS",
    "AssessmentItem",
    "RoleProfile",
    "RolesMix",
    "item_text",
    "roles_mix",
    "scale_labels",
    "score_assessment",
    "self_and_network_view",
]

#: The self-assessed roles, in display order.
ASSESSMENT_ROLES = ("broker", "connector", "energiser", "challenger")

#: The agreement scale: value → label.
SCALE: Mapping[int, str] = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}


@dataclass(frozen=True)
class AssessmentItem:
    """One statement: a stable ``id`` (stored with answers), its role and its wording."""

    id: str
    role: str
    text: str


#: The questionnaire, in the order it is presented (roles interleaved so no block stands out).
ITEMS: tuple[AssessmentItem, ...] = (
    AssessmentItem(
        "b1",
        "broker",
        "I often connect people from different teams or "
        "organisations who would not otherwise meet.",
    ),
    AssessmentItem(
        "c1", "connector", "People in my own team come to me when they need to get something done."
    ),
    AssessmentItem(
        "e1",
        "energiser",
        "Colleagues tell me they leave our conversations with more energy than they came with.",
    ),
    AssessmentItem("h1", "challenger", "I question the way things have always been done."),
    AssessmentItem(
        "b2",
        "broker",
        "I pass ideas and information between groups that rarely talk to each other.",
    ),
    AssessmentItem(
        "c2", "connector", "I know most people in my own group well, and they trust me."
    ),
    AssessmentItem("e2", "energiser", "I can get colleagues enthusiastic about a new idea."),
    AssessmentItem(
        "h2", "challenger", "I speak up when I think a plan will not work, even to senior people."
    ),
    AssessmentItem(
        "b3",
        "broker",
        "I have good working relationships in several organisations, not only my own.",
    ),
    AssessmentItem("c3", "connector", "I help my team pull together and agree on a way forward."),
    AssessmentItem(
        "e3",
        "energiser",
        "I listen properly and build on other people's ideas rather than competing with them.",
    ),
    AssessmentItem(
        "h3", "challenger", "I look for approaches from outside our service and try them here."
    ),
    AssessmentItem(
        "b4",
        "broker",
        "When someone needs help outside their usual circle, they ask me who to talk to.",
    ),
    AssessmentItem(
        "c4", "connector", "I keep the colleagues around me informed about what is happening."
    ),
    AssessmentItem(
        "e4", "energiser", "I bring hope and good humour to work that others find hard going."
    ),
    AssessmentItem(
        "h4",
        "challenger",
        "I would rather try something new and learn from it "
        "than keep a process that is not working.",
    ),
)

_ITEMS_BY_ID = {item.id: item for item in ITEMS}

#: The statements and the scale in other languages, by language code, then item id (and
#: ``"scale"``: value → label). English is the wording above. The Spanish is Bridgework's own
#: careful translation (there is no published Spanish version of these statements); the scale
#: is the usual Spanish five-point Likert wording.
TEXTS: Mapping[str, Mapping[str, object]] = {
    "es": {
        "b1": "A menudo pongo en contacto a personas de distintos equipos u organizaciones que "
        "de otro modo no se conocerían.",
        "c1": "Las personas de mi propio equipo acuden a mí cuando necesitan sacar algo adelante.",
        "e1": "Mis colegas me dicen que salen de nuestras conversaciones con más energía de la "
        "que traían.",
        "h1": "Cuestiono la forma en que las cosas se han hecho siempre.",
        "b2": "Hago circular ideas e información entre grupos que rara vez hablan entre sí.",
        "c2": "Conozco bien a la mayoría de las personas de mi grupo, y confían en mí.",
        "e2": "Sé entusiasmar a mis colegas con una idea nueva.",
        "h2": "Digo lo que pienso cuando creo que un plan no va a funcionar, incluso ante "
        "personas de más rango.",
        "b3": "Tengo buenas relaciones de trabajo en varias organizaciones, no solo en la mía.",
        "c3": "Ayudo a mi equipo a unirse y a ponerse de acuerdo sobre cómo avanzar.",
        "e3": "Escucho de verdad y construyo sobre las ideas de los demás en lugar de competir "
        "con ellas.",
        "h3": "Busco enfoques de fuera de nuestro servicio y los pruebo aquí.",
        "b4": "Cuando alguien necesita ayuda fuera de su círculo habitual, me pregunta con quién "
        "hablar.",
        "c4": "Mantengo informados a los colegas de mi entorno de lo que está pasando.",
        "e4": "Aporto esperanza y buen humor a un trabajo que a otros se les hace cuesta arriba.",
        "h4": "Prefiero probar algo nuevo y aprender de ello antes que mantener un proceso que "
        "no funciona.",
        "scale": {
            1: "Totalmente en desacuerdo",
            2: "En desacuerdo",
            3: "Ni de acuerdo ni en desacuerdo",
            4: "De acuerdo",
            5: "Totalmente de acuerdo",
        },
    },
}


def _texts(language: str | None) -> Mapping[str, object]:
    code = (language or "en").lower()
    return TEXTS.get(code) or TEXTS.get(code.split("-")[0], {})


def item_text(item: AssessmentItem, language: str | None = None) -> str:
    """The statement's wording in ``language`` (a code such as ``"es"``), else in English.

    >>> item_text(ITEMS[3], "es")
    'Cuestiono la forma en que las cosas se han hecho siempre.'
    >>> item_text(ITEMS[3], "cy") == ITEMS[3].text
    True
    """
    text = _texts(language).get(item.id)
    return text if isinstance(text, str) else item.text


def scale_labels(language: str | None = None) -> Mapping[int, str]:
    """The agreement scale's labels in ``language``, else in English.

    >>> scale_labels("es")[5]
    'Totalmente de acuerdo'
    """
    labels = _texts(language).get("scale")
    return labels if isinstance(labels, Mapping) else SCALE


@dataclass(frozen=True)
class RoleProfile:
    """One person's self-assessment: a score (1–5 mean, or ``None``) per role and the primary
    role(s) — the highest-scoring roles at or above the scoring threshold."""

    scores: Mapping[str, float | None]
    primary: tuple[str, ...]
    answered: int

    def to_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "scores": dict(self.scores),
            "primary": list(self.primary),
            "answered": self.answered,
        }


def score_assessment(
    answers: Mapping[str, int | None],
    *,
    min_answered: int = 3,
    primary_min_score: float = 3.5,
    primary_margin: float = 0.0,
) -> RoleProfile:
    """Score one person's answers into a role profile.

    Parameters
    ----------
    answers : mapping of item id to int (1–5) or None
        Unanswered items may be missing or ``None``.
    min_answered : int
        A role is scored only with at least this many of its four items answered.
    primary_min_score : float
        A role can be primary only with a score at least this (3.5 lies between "neither"
        and "agree"), so someone who agrees with nothing has no primary role.
    primary_margin : float
        Roles within this distance of the top score are primary too (ties always are).

    Returns
    -------
    RoleProfile

    Raises
    ------
    ValueError
        An unknown item id, or an answer outside 1–5.

    Examples
    --------
    >>> answers = {item.id: 5 if item.role == "challenger" else 3 for item in ITEMS}
    >>> profile = score_assessment(answers)
    >>> profile.primary, profile.scores["broker"]
    (('challenger',), 3.0)

    Notes
    -----
    O(items).
    """
    totals = dict.fromkeys(ASSESSMENT_ROLES, 0)
    counts = dict.fromkeys(ASSESSMENT_ROLES, 0)
    for item_id, value in answers.items():
        item = _ITEMS_BY_ID.get(item_id)
        if item is None:
            raise ValueError(f"unknown self-assessment item {item_id!r}")
        if value is None:
            continue
        if isinstance(value, bool) or int(value) != value or value not in SCALE:
            raise ValueError(f"item {item_id}: answer must be 1–5, not {value!r}")
        totals[item.role] += int(value)
        counts[item.role] += 1
    scores = {
        role: totals[role] / counts[role] if counts[role] >= min_answered else None
        for role in ASSESSMENT_ROLES
    }
    scored = [s for s in scores.values() if s is not None]
    best = max(scored, default=None)
    primary: tuple[str, ...] = ()
    if best is not None and best >= primary_min_score:
        primary = tuple(
            role
            for role in ASSESSMENT_ROLES
            if scores[role] is not None
            and scores[role] >= max(best - primary_margin, primary_min_score) - 1e-9
        )
    return RoleProfile(scores=scores, primary=primary, answered=sum(counts.values()))


@dataclass(frozen=True)
class RolesMix:
    """The mix of self-assessed roles across a network, or ``suppressed`` under the minimum.

    ``primary_counts[role]`` counts people whose primary roles include it (a person with two
    primary roles counts in both); ``no_primary`` counts those with none; ``mean_scores`` are
    means over people with the role scored.
    """

    respondents: int
    suppressed: bool
    primary_counts: Mapping[str, int] | None
    no_primary: int | None
    mean_scores: Mapping[str, float | None] | None

    def to_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "respondents": self.respondents,
            "suppressed": self.suppressed,
            "primary_counts": None if self.primary_counts is None else dict(self.primary_counts),
            "no_primary": self.no_primary,
            "mean_scores": None if self.mean_scores is None else dict(self.mean_scores),
        }


def roles_mix(profiles: Iterable[RoleProfile], *, min_group_size: int = 5) -> RolesMix:
    """Aggregate profiles into the mix across the network, suppressing small numbers.

    Parameters
    ----------
    profiles : iterable of RoleProfile
    min_group_size : int
        With fewer respondents than this, no figures are given (Bridgework's minimum group
        size, default 5, from 3 to 100), so nobody's answers can be read off the mix.

    Returns
    -------
    RolesMix

    Examples
    --------
    >>> broker = score_assessment({i.id: 5 if i.role == "broker" else 2 for i in ITEMS})
    >>> mix = roles_mix([broker] * 5)
    >>> mix.primary_counts["broker"], mix.mean_scores["broker"]
    (5, 5.0)
    >>> roles_mix([broker] * 2).suppressed
    True

    Notes
    -----
    O(people).
    """
    check_min_group_size(min_group_size)
    profiles = list(profiles)
    if len(profiles) < min_group_size:
        return RolesMix(len(profiles), True, None, None, None)
    counts = {role: sum(role in p.primary for p in profiles) for role in ASSESSMENT_ROLES}
    means: dict[str, float | None] = {}
    for role in ASSESSMENT_ROLES:
        values = [p.scores[role] for p in profiles if p.scores[role] is not None]
        means[role] = sum(values) / len(values) if values else None
    return RolesMix(
        respondents=len(profiles),
        suppressed=False,
        primary_counts=counts,
        no_primary=sum(not p.primary for p in profiles),
        mean_scores=means,
    )


def self_and_network_view(
    profiles: Mapping[str, RoleProfile],
    network_roles: Mapping[str, Sequence[str]],
    consenting: Iterable[str],
) -> list[dict[str, object]]:
    """Self-assessed roles beside network roles, for consenting people only.

    Parameters
    ----------
    profiles : mapping of person id to RoleProfile
    network_roles : mapping of person id to the roles the network analysis gave them
    consenting : iterable of person ids who agreed to be shown by name to coordinators

    Returns
    -------
    list of dict
        ``{"id", "self_primary", "self_scores", "network_roles", "agree"}`` sorted by id, where
        ``agree`` lists roles found both ways (Challenger has no network counterpart).

    Examples
    --------
    >>> p = score_assessment({i.id: 5 if i.role == "broker" else 2 for i in ITEMS})
    >>> view = self_and_network_view({"7": p, "8": p}, {"7": ["broker"]}, ["7"])
    >>> [(row["id"], row["agree"]) for row in view]
    [('7', ['broker'])]
    """
    rows = []
    for person in sorted(set(consenting) & set(profiles)):
        profile = profiles[person]
        found = list(network_roles.get(person, ()))
        rows.append(
            {
                "id": person,
                "self_primary": list(profile.primary),
                "self_scores": dict(profile.scores),
                "network_roles": found,
                "agree": [role for role in profile.primary if role in found],
            }
        )
    return rows
