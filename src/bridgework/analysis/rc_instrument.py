"""The Relational Coordination instrument, kept as data.

An instrument says which dimensions are asked, how each is worded, which subscale it belongs
to, and how an answer (its position 1–5 on the answer scale) becomes a score. Scoring code
never hard-codes any of that, so an organisation can word the questions its own way, or enter
the licensed wording of the official RC Survey (Brandeis University), without touching the
maths; only the dimension keys and the scoring key are fixed, because results must stay
comparable between waves and between networks.

:data:`BUILTIN_INSTRUMENT` is Bridgework's own wording of the seven dimensions. Each question
is a template naming the focal work process and the workgroup being rated, as
``{work_process}`` and ``{target}``; the web survey renders it once per target workgroup.

The frequency dimension may use an *adequacy* scale instead of a plain frequency scale: more
contact is not always better, so "just the right amount" scores highest
(:data:`ADEQUACY_ANSWER_KEY`). Choose it with :meth:`Instrument.with_frequency_scale`.

References
----------
Gittell, J. H. (2006). Relational coordination: coordinating work through relationships of
shared goals, shared knowledge and mutual respect. In Kyriakidou & Özbilgin (eds.),
*Relational Perspectives in Organizational Studies*. Edward Elgar.
Gittell, J. H. & Ali, H. N. (2021). *Relational Analytics: Guidelines for Analysis and Action*.
Routledge.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

__all__ = [
    "ADEQUACY_ANSWER_KEY",
    "ADEQUACY_LABELS",
    "BUILTIN_INSTRUMENT",
    "BUILTIN_TEXTS",
    "DIMENSIONS",
    "IDENTITY_ANSWER_KEY",
    "SUBSCALES",
    "Instrument",
    "Item",
]

#: The seven RC dimensions, in the conventional order: four communication, three relationship.
DIMENSIONS = (
    "frequent",
    "timely",
    "accurate",
    "problem_solving",
    "shared_goals",
    "shared_knowledge",
    "mutual_respect",
)
#: Subscale names.
SUBSCALES = ("communication", "relationship")
#: Answer position → score when higher answers are simply better.
IDENTITY_ANSWER_KEY = (1, 2, 3, 4, 5)
#: Answer position → score on the adequacy scale: not nearly enough 1, not enough 3,
#: just right 5, too often 4, much too often 2.
ADEQUACY_ANSWER_KEY = (1, 3, 5, 4, 2)
#: Answer labels of the adequacy scale, in answer-position order.
ADEQUACY_LABELS = (
    "Not nearly enough",
    "Not enough",
    "Just the right amount",
    "Too often",
    "Much too often",
)
_PLACEHOLDERS = frozenset({"work_process", "target"})
_SCALE_POINTS = 5


@dataclass(frozen=True)
class Item:
    """One dimension of the instrument.

    ``answer_labels[i]`` labels answer position ``i + 1``; ``answer_key[i]`` is the score
    that position earns. ``question`` is a template with ``{work_process}`` and ``{target}``.
    """

    key: str
    label: str
    subscale: str
    question: str
    answer_labels: tuple[str, ...]
    answer_key: tuple[int, ...] = IDENTITY_ANSWER_KEY

    def __post_init__(self) -> None:
        if self.subscale not in SUBSCALES:
            raise ValueError(f"item {self.key}: unknown subscale {self.subscale!r}")
        if len(self.answer_labels) != _SCALE_POINTS:
            raise ValueError(f"item {self.key}: needs {_SCALE_POINTS} answer labels")
        if sorted(self.answer_key) != list(range(1, _SCALE_POINTS + 1)):
            raise ValueError(f"item {self.key}: answer key must be a permutation of 1..5")
        _check_template(self.key, self.question)

    def render(self, *, work_process: str, target: str) -> str:
        """The question as a respondent reads it.

        Examples
        --------
        >>> BUILTIN_INSTRUMENT.item("shared_goals").render(
        ...     work_process="hospital discharge", target="Pharmacy")
        'How far do people in Pharmacy share your goals for hospital discharge?'
        """
        return self.question.format(work_process=work_process, target=target)


def _check_template(key: str, template: str) -> None:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ValueError(f"item {key}: question is not a valid template ({exc})") from exc
    unknown = fields - _PLACEHOLDERS
    if unknown:
        raise ValueError(
            f"item {key}: unknown placeholder(s) {sorted(unknown)}; use {{work_process}} "
            "and {target}"
        )
    if "target" not in fields:
        raise ValueError(f"item {key}: the question must name the workgroup rated, {{target}}")


@dataclass(frozen=True)
class Instrument:
    """A named set of the seven RC items.

    Parameters
    ----------
    name : str
        Shown in reports and settings.
    items : tuple of Item
        Exactly the seven :data:`DIMENSIONS`, in that order.
    frequency_scale : {"frequency", "adequacy"}
        Which answer scale the ``frequent`` item uses.
    """

    name: str
    items: tuple[Item, ...]
    frequency_scale: str = "frequency"

    def __post_init__(self) -> None:
        if tuple(item.key for item in self.items) != DIMENSIONS:
            raise ValueError(f"an RC instrument has exactly the dimensions {DIMENSIONS}")
        if self.frequency_scale not in ("frequency", "adequacy"):
            raise ValueError("frequency_scale must be 'frequency' or 'adequacy'")

    @property
    def keys(self) -> tuple[str, ...]:
        """Dimension keys in order."""
        return DIMENSIONS

    def item(self, key: str) -> Item:
        """The item for dimension ``key``."""
        return self.items[DIMENSIONS.index(key)]

    def subscale_members(self, subscale: str) -> tuple[str, ...]:
        """Dimension keys belonging to ``subscale``.

        Examples
        --------
        >>> BUILTIN_INSTRUMENT.subscale_members("relationship")
        ('shared_goals', 'shared_knowledge', 'mutual_respect')
        """
        return tuple(item.key for item in self.items if item.subscale == subscale)

    def with_frequency_scale(self, scale: str) -> Instrument:
        """This instrument with the ``frequent`` item on another answer scale.

        ``scale`` is ``"frequency"`` (never … all the time) or ``"adequacy"``.

        Examples
        --------
        >>> adequacy = BUILTIN_INSTRUMENT.with_frequency_scale("adequacy")
        >>> adequacy.item("frequent").answer_key
        (1, 3, 5, 4, 2)
        """
        if scale == self.frequency_scale:
            return self
        if scale == "adequacy":
            labels, key = ADEQUACY_LABELS, ADEQUACY_ANSWER_KEY
        elif scale == "frequency":
            labels, key = _FREQUENCY_LABELS, IDENTITY_ANSWER_KEY
        else:
            raise ValueError("frequency scale must be 'frequency' or 'adequacy'")
        items = list(self.items)
        items[0] = replace(items[0], answer_labels=labels, answer_key=key)
        return replace(self, items=tuple(items), frequency_scale=scale)

    def with_texts(
        self,
        *,
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        questions: Mapping[str, str] | None = None,
        answer_labels: Mapping[str, tuple[str, ...]] | None = None,
    ) -> Instrument:
        """This instrument with some wording replaced; keys, subscales and scoring stay.

        A coordinator may enter their own or licensed wording; they may not change what is
        measured or how it is scored, so results stay comparable.

        Raises
        ------
        ValueError
            For an unknown dimension key, a template without ``{target}`` or with unknown
            placeholders, or a number of answer labels other than five.

        Examples
        --------
        >>> mine = BUILTIN_INSTRUMENT.with_texts(questions={"timely": "Is {target} on time?"})
        >>> mine.item("timely").render(work_process="x", target="Pharmacy")
        'Is Pharmacy on time?'
        """
        items = {item.key: item for item in self.items}
        for mapping in (labels, questions, answer_labels):
            for key in mapping or {}:
                if key not in items:
                    raise ValueError(f"unknown dimension {key!r}; expected one of {DIMENSIONS}")
        for key, text in (labels or {}).items():
            items[key] = replace(items[key], label=text)
        for key, text in (questions or {}).items():
            items[key] = replace(items[key], question=text)
        for key, texts in (answer_labels or {}).items():
            items[key] = replace(items[key], answer_labels=tuple(texts))
        return replace(self, name=name or self.name, items=tuple(items[key] for key in DIMENSIONS))

    def with_language(self, language: str | None) -> Instrument:
        """This instrument with the built-in wording in ``language`` (a code of
        :data:`BUILTIN_TEXTS`, such as ``"es"``; a regional code such as ``"es-mx"`` uses its
        language); unknown languages and English keep the wording as it is. Keys, subscales,
        the frequency scale and scoring stay, so answers in any language score alike.

        Examples
        --------
        >>> spanish = BUILTIN_INSTRUMENT.with_language("es")
        >>> spanish.item("shared_goals").render(work_process="el alta", target="Farmacia")
        '¿Hasta qué punto comparten las personas de Farmacia sus objetivos para el alta?'
        >>> spanish.item("frequent").answer_labels[-1]
        'Todo el tiempo'
        >>> BUILTIN_INSTRUMENT.with_language("cy") is BUILTIN_INSTRUMENT
        True
        """
        code = (language or "").lower()
        texts = BUILTIN_TEXTS.get(code) or BUILTIN_TEXTS.get(code.split("-")[0])
        if texts is None:
            return self
        words: Mapping[str, tuple[str, str, tuple[str, ...]]] = texts["items"]  # type: ignore[assignment]
        items = []
        for item in self.items:
            label, question, answers = words[item.key]
            if item.key == "frequent":
                answers = texts["adequacy" if self.frequency_scale == "adequacy" else "frequency"]  # type: ignore[assignment]
            items.append(replace(item, label=label, question=question, answer_labels=answers))
        return replace(self, name=str(texts["name"]), items=tuple(items))

    def score_table(self) -> np.ndarray:
        """Lookup table ``table[d, position]`` → score (NaN for position 0), for vector recoding.

        Examples
        --------
        >>> BUILTIN_INSTRUMENT.with_frequency_scale("adequacy").score_table()[0, 1:]
        array([1., 3., 5., 4., 2.])
        """
        table = np.full((len(DIMENSIONS), _SCALE_POINTS + 1), np.nan)
        for row, item in enumerate(self.items):
            table[row, 1:] = item.answer_key
        return table

    def to_dict(self) -> dict[str, object]:
        """The instrument as JSON-ready data (what the web survey and reports show)."""
        return {
            "name": self.name,
            "frequency_scale": self.frequency_scale,
            "items": [
                {
                    "key": item.key,
                    "label": item.label,
                    "subscale": item.subscale,
                    "question": item.question,
                    "answer_labels": list(item.answer_labels),
                    "answer_key": list(item.answer_key),
                }
                for item in self.items
            ],
        }


_FREQUENCY_LABELS = ("Never", "Rarely", "Sometimes", "Often", "All the time")
_HOW_OFTEN = ("Never", "Rarely", "Sometimes", "Usually", "Always")
_HOW_FAR = ("Not at all", "A little", "Partly", "Largely", "Completely")

#: Bridgework's own wording of the seven dimensions (not the licensed RC Survey text).
BUILTIN_INSTRUMENT = Instrument(
    name="Bridgework relational coordination questions",
    items=(
        Item(
            "frequent",
            "Frequent communication",
            "communication",
            "How often are you in touch with people in {target} about {work_process}?",
            _FREQUENCY_LABELS,
        ),
        Item(
            "timely",
            "Timely communication",
            "communication",
            "When you need something from {target} for {work_process}, does it reach you "
            "in time to act on it?",
            _HOW_OFTEN,
        ),
        Item(
            "accurate",
            "Accurate communication",
            "communication",
            "Can you rely on what people in {target} tell you about {work_process} being "
            "correct and complete?",
            _HOW_OFTEN,
        ),
        Item(
            "problem_solving",
            "Problem-solving communication",
            "communication",
            "When {work_process} goes wrong, do people in {target} work on the problem "
            "with you rather than look for someone to blame?",
            _HOW_OFTEN,
        ),
        Item(
            "shared_goals",
            "Shared goals",
            "relationship",
            "How far do people in {target} share your goals for {work_process}?",
            _HOW_FAR,
        ),
        Item(
            "shared_knowledge",
            "Shared knowledge",
            "relationship",
            "How well do people in {target} understand the part you play in {work_process}?",
            ("Not at all", "A little", "Partly", "Well", "Very well"),
        ),
        Item(
            "mutual_respect",
            "Mutual respect",
            "relationship",
            "How much do people in {target} respect the work you do in {work_process}?",
            ("Not at all", "A little", "Somewhat", "A lot", "Completely"),
        ),
    ),
)

_A_VECES = ("Nunca", "Rara vez", "A veces", "Casi siempre", "Siempre")
_HASTA_QUE_PUNTO = ("Nada", "Un poco", "En parte", "En gran medida", "Totalmente")

#: The built-in wording in other languages, by language code (English is
#: :data:`BUILTIN_INSTRUMENT` itself). Each entry has the instrument's ``name``, the answer
#: labels of the two frequency scales (``frequency``, ``adequacy``) and, per dimension,
#: ``(label, question template, answer labels)``.
#:
#: Source of the Spanish: Bridgework's own translation of its own wording above (it is not the
#: licensed Spanish RC Survey of Brandeis University, whose text a licensee enters on the wave
#: as for English). Written in neutral Spanish with the formal "usted", as public services in
#: Spain and Latin America address staff in surveys; the placeholders are unchanged, so a
#: work process named in Spanish reads naturally ("el alta hospitalaria").
BUILTIN_TEXTS: Mapping[str, Mapping[str, object]] = {
    "es": {
        "name": "Preguntas de coordinación relacional de Bridgework",
        "frequency": ("Nunca", "Rara vez", "A veces", "A menudo", "Todo el tiempo"),
        "adequacy": (
            "Ni mucho menos lo suficiente",
            "No lo suficiente",
            "Lo justo",
            "Demasiado a menudo",
            "Con demasiada frecuencia",
        ),
        "items": {
            "frequent": (
                "Comunicación frecuente",
                "¿Con qué frecuencia está en contacto con personas de {target} sobre "
                "{work_process}?",
                ("Nunca", "Rara vez", "A veces", "A menudo", "Todo el tiempo"),
            ),
            "timely": (
                "Comunicación oportuna",
                "Cuando necesita algo de {target} para {work_process}, ¿le llega a tiempo "
                "para poder actuar?",
                _A_VECES,
            ),
            "accurate": (
                "Comunicación precisa",
                "¿Puede confiar en que lo que le dicen las personas de {target} sobre "
                "{work_process} es correcto y completo?",
                _A_VECES,
            ),
            "problem_solving": (
                "Comunicación para resolver problemas",
                "Cuando algo sale mal en {work_process}, ¿las personas de {target} trabajan "
                "con usted en el problema en lugar de buscar a quién culpar?",
                _A_VECES,
            ),
            "shared_goals": (
                "Objetivos compartidos",
                "¿Hasta qué punto comparten las personas de {target} sus objetivos para "
                "{work_process}?",
                _HASTA_QUE_PUNTO,
            ),
            "shared_knowledge": (
                "Conocimiento compartido",
                "¿En qué medida entienden las personas de {target} el papel que usted "
                "desempeña en {work_process}?",
                ("Nada", "Un poco", "En parte", "Bien", "Muy bien"),
            ),
            "mutual_respect": (
                "Respeto mutuo",
                "¿Cuánto respetan las personas de {target} el trabajo que usted hace en "
                "{work_process}?",
                ("Nada", "Un poco", "Algo", "Mucho", "Totalmente"),
            ),
        },
    },
}
