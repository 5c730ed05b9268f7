"""The codebook: a TOML file that describes one survey, so that the survey briefing can analyse any survey.

A codebook names the survey and its respondents, its questions (single choice, Likert with its scale and
direction, multiple choice, yes/no, free text) with their answer labels in order, the grouping variables,
the population it was drawn from (its size and any known margins to weight to), the suppression rule,
how one unit is compared with the rest and with its previous period, and any published figures to
compare against. The format is documented in README.md ("Use your own survey"); every entry is checked
here, and an error names the codebook file, the entry and what was expected.

The package holds no survey's questions: the bundled surveys are described by
``data/survey_commissioning_support_2012.codebook.toml`` and ``data/survey_ccg_360_stakeholder.codebook.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..errors import DataError

#: The kinds of question a codebook may declare.
KINDS = ("single_choice", "likert", "multiple_choice", "yes_no", "free_text")
#: The bundled 2012 commissioning-support survey's codebook (the notebook's default).
DEFAULT_CODEBOOK = config.DATA_DIR / "survey_commissioning_support_2012.codebook.toml"


@dataclass(frozen=True)
class Scale:
    """An ordered answer scale (Likert): ``labels`` as written in the codebook, ``direction`` saying which
    end is favourable ("ascending": the last label is the most favourable; "descending": the first)."""

    name: str
    labels: tuple[str, ...]
    direction: str
    negative: str  # one word for the unfavourable side, e.g. "dissatisfied"
    positive: str

    @property
    def ordered(self) -> tuple[str, ...]:
        """The labels from the least to the most favourable."""
        return self.labels if self.direction == "ascending" else tuple(reversed(self.labels))

    @property
    def negative_labels(self) -> tuple[str, ...]:
        return self.ordered[: len(self.labels) // 2]

    @property
    def positive_labels(self) -> tuple[str, ...]:
        return self.ordered[len(self.labels) - len(self.labels) // 2:]

    @property
    def neutral(self) -> str | None:
        return self.ordered[len(self.labels) // 2] if len(self.labels) % 2 else None


@dataclass(frozen=True)
class Condition:
    """Who was asked a question: the rows whose ``column`` is not in ``not_in`` (the others are not applicable)."""

    column: str
    not_in: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Option:
    """One tick-box of a multiple-choice question, stored in its own column."""

    column: str
    label: str
    text: str
    finding: str
    phrase: str


@dataclass(frozen=True)
class Question:
    """One question. ``column`` holds its answers (a multiple-choice question has one column per option);
    ``headline`` the answers counted in its headline percentage; ``finding`` completes the sentence
    "x% of responding <respondents> ..."."""

    name: str
    kind: str
    text: str
    column: str | None = None
    answers: tuple[str, ...] = ()
    headline: tuple[str, ...] = ()
    finding: str = ""
    scale: Scale | None = None
    options: tuple[Option, ...] = ()
    selected: str = "Yes"
    asked_if: Condition | None = None
    not_compared_by: tuple[str, ...] = ()
    phrases: dict = field(default_factory=dict)
    topic: str = ""
    intro: str = ""
    note: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(o.column for o in self.options) if self.kind == "multiple_choice" else (self.column,)


@dataclass(frozen=True)
class Grouping:
    """A grouping variable: a column of labels, or bands of a numeric column (``source``, ``edges``)."""

    name: str
    label: str
    values: tuple[str, ...]
    source: str | None = None
    edges: tuple[float, ...] = ()


@dataclass(frozen=True)
class PublishedFigure:
    """A figure as published, for comparison: the headline answers of ``column`` among all who answered it."""

    column: str
    statement: str
    published: str
    decimals: int = 0
    percent: float | None = None
    at_least: float | None = None


@dataclass(frozen=True)
class Codebook:
    """A survey, as its codebook describes it (see the module docstring)."""

    path: Path
    title: str
    lede: str
    respondent: str
    respondents: str
    id_column: str
    data: Path | None
    geography: str = ""
    period: str = ""
    synthetic: str = ""
    comments_label: str = ""
    published_source: str = ""
    questions: tuple[Question, ...] = ()
    scales: dict = field(default_factory=dict)
    groupings: tuple[Grouping, ...] = ()
    population_size: int | None = None
    population_name: str = ""
    margins: dict = field(default_factory=dict)
    weight_within: tuple[str, ...] = ()
    min_base: int = config.SURVEY_MIN_RESPONSES
    hide_unanimous: bool = False  # [suppression] hide_unanimous: in group tables, withhold a group where all or none gave an answer
    published: tuple[PublishedFigure, ...] = ()
    unit_column: str | None = None
    period_column: str | None = None
    planted: dict = field(default_factory=dict)  # [comparison] planted: unit -> "higher" / "lower" (synthetic files)
    planted_questions: tuple[str, ...] = ()
    planted_note: str = ""  # [comparison] planted_note: anything else the generator built in, for the planted box
    numeric_columns: tuple[str, ...] = ()

    def __deepcopy__(self, memo: dict) -> Codebook:
        """The codebook itself: it is read once and never changed, and the responses carry it in
        ``DataFrame.attrs``, which pandas deep-copies on every operation (this copying took half of a
        survey briefing's run time)."""
        return self

    def question(self, name: str) -> Question:
        """The question named ``name`` (its column, or a multiple-choice question's name or option column)."""
        for item in self.questions:
            if name == item.name or name in item.columns:
                return item
        raise DataError(f"no question {name!r} in the codebook", path=self.path,
                        expected="one of " + ", ".join(q.name for q in self.questions))

    def grouping(self, name: str) -> Grouping:
        for item in self.groupings:
            if item.name == name:
                return item
        raise DataError(f"no grouping {name!r} in the codebook", path=self.path,
                        expected="one of " + ", ".join(g.name for g in self.groupings))

    def of_kind(self, *kinds: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.kind in kinds)

    @property
    def required_columns(self) -> tuple[str, ...]:
        columns = [self.id_column]
        columns += [g.source or g.name for g in self.groupings]
        columns += [c for q in self.questions for c in q.columns]
        columns += [c for c in (self.unit_column, self.period_column) if c]
        columns += list(self.numeric_columns) + list(self.margins)
        return tuple(dict.fromkeys(columns))

    @property
    def column_labels(self) -> dict:
        """Readable names of the grouping columns (their ``label``), e.g. {"ccg": "CCG"}."""
        return {g.name: g.label for g in self.groupings}

    @property
    def unit_plural(self) -> str:
        """The comparison unit's noun in the plural ("CCGs"), from its grouping's label; "units" without one."""
        if not self.unit_column:
            return "units"
        return self.column_labels.get(self.unit_column, self.unit_column.replace("_", " ")) + "s"

    def is_bundled_data(self, data_path: str | Path | None) -> bool:
        """True when ``data_path`` is the data file the codebook names (for a synthetic codebook: the invented file)."""
        if self.data is None:
            return False
        return config.resolve_path(data_path, self.data).resolve() == self.data.resolve()


# ---------------------------------------------------------------------------------------------- reading


class _Entry:
    """One table of the codebook, with the place it sits (``questions[3] 'q_x'``) for the errors."""

    def __init__(self, table, where: str, path: Path):
        self.path, self.where = path, where
        if not isinstance(table, dict):
            self.fail(f"is a {type(table).__name__}", "a table of keys and values")
        self.table = table

    def fail(self, problem: str, expected: str):
        raise DataError(f"codebook entry {self.where}: {problem}", path=self.path, expected=expected)

    def sub_entries(self, key: str, place: str, expected: str) -> list[tuple[str, _Entry]]:
        """The named tables under ``key``, each as an entry placed ``[<place>.NAME]`` (e.g. ``[scales.agreement]``);
        none when ``key`` is absent; an error when it is not a table."""
        raw = self.table.get(key, {})
        if not isinstance(raw, dict):
            self.fail(f"'{key}' is not a table", expected)
        return [(name, _Entry(table, f"[{place}.{name}]", self.path)) for name, table in raw.items()]

    def text(self, key: str, default: str | None = None) -> str:
        value = self.table.get(key, default)
        if value is None:
            self.fail(f"'{key}' is missing", f"{key} = \"...\" (text)")
        if not isinstance(value, str):
            self.fail(f"'{key}' is {value!r}", "text in quotes")
        return value

    def words(self, key: str, default=None, *, non_empty: bool = True) -> tuple[str, ...]:
        value = self.table.get(key, default)
        if value is None:
            self.fail(f"'{key}' is missing", f"{key} = [\"...\", ...] (a list of text)")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"'{key}' is {value!r}", "a list of text in quotes")
        if non_empty and not value:
            self.fail(f"'{key}' is empty", "at least one label")
        if len(set(value)) != len(value):
            self.fail(f"'{key}' repeats a label", "each label once")
        return tuple(value)

    def number(self, key: str, default=None, *, whole: bool = False, low: float | None = None):
        value = self.table.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (whole and not isinstance(value, int)):
            self.fail(f"'{key}' is {value!r}", "a whole number" if whole else "a number")
        if low is not None and value < low:
            self.fail(f"'{key}' is {value!r}", f"at least {low:g}")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"'{key}' is {value!r}", "true or false")
        return value

    def table_list(self, key: str) -> list:
        value = self.table.get(key, [])
        if not isinstance(value, list):
            self.fail(f"'{key}' is not a list of tables", f"[[{key}]] entries")
        return value


def read_codebook(path: str | Path | None = None) -> Codebook:
    """Read and validate a survey codebook (TOML).

    Parameters
    ----------
    path : str or Path, optional
        The codebook; a relative path is taken from the project root. Default: the 2012
        commissioning-support survey's.

    Returns
    -------
    Codebook

    Raises
    ------
    DataError
        A missing or malformed file, or an entry that is missing, of the wrong type or inconsistent
        (a Likert question naming an unknown scale, a headline answer not among its labels, a margin
        that does not add up, ...), naming the codebook file, the entry and what was expected.
    """
    path = config.resolve_path(path, DEFAULT_CODEBOOK)
    if not path.is_file():
        raise DataError("codebook not found", path=path, expected="an existing .toml codebook "
                        "(`ccgtools survey-codebook DATAFILE` drafts one)")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"not a valid TOML file ({error})", path=path,
                        expected="TOML: key = \"value\" lines under [table] headings") from None
    top = _Entry(raw, "(top level)", path)
    survey = _Entry(raw.get("survey"), "[survey]", path) if "survey" in raw else top.fail(
        "the [survey] table is missing", "a [survey] table with title, respondents and id_column")
    data = survey.table.get("data")
    data_path = (path.parent / data).resolve() if isinstance(data, str) and data else None
    scales = _scales(top)
    groupings_raw = top.table_list("groupings")
    questions = tuple(_question(_Entry(q, f"[[questions]] number {i + 1}", path), scales, path)
                      for i, q in enumerate(top.table_list("questions")))
    if not questions:
        top.fail("there are no [[questions]]", "at least one [[questions]] entry")
    names = [q.name for q in questions] + [c for q in questions for c in q.columns if q.kind == "multiple_choice"]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        top.fail(f"the question or column {repeated[0]!r} is declared twice", "each question and column once")
    groupings = tuple(_grouping(_Entry(g, f"[[groupings]] number {i + 1}", path), questions)
                      for i, g in enumerate(groupings_raw))
    population = _Entry(raw.get("population", {}), "[population]", path)
    suppression = _Entry(raw.get("suppression", {}), "[suppression]", path)
    comparison = _Entry(raw.get("comparison", {}), "[comparison]", path)
    book = Codebook(
        path=path, title=survey.text("title"), lede=survey.text("lede", ""),
        respondent=survey.text("respondent"), respondents=survey.text("respondents"),
        id_column=survey.text("id_column"), data=data_path,
        geography=survey.text("geography", ""), period=survey.text("period", ""),
        synthetic=survey.text("synthetic", ""), comments_label=survey.text("comments", ""),
        published_source=survey.text("published_source", ""),
        questions=questions, scales=scales, groupings=groupings,
        population_size=population.number("size", whole=True, low=1),
        population_name=population.text("name", ""),
        margins=_margins(population), weight_within=population.words("weight_within", [], non_empty=False),
        min_base=suppression.number("min_base", config.SURVEY_MIN_RESPONSES, whole=True, low=1),
        hide_unanimous=suppression.flag("hide_unanimous"),
        published=tuple(_published(_Entry(p, f"[[published]] number {i + 1}", path))
                        for i, p in enumerate(top.table_list("published"))),
        unit_column=comparison.table.get("unit") and comparison.text("unit"),
        period_column=comparison.table.get("period") and comparison.text("period"),
        planted=_planted(comparison), planted_questions=comparison.words("planted_questions", [], non_empty=False),
        planted_note=comparison.text("planted_note", ""),
        numeric_columns=tuple(g.source for g in groupings if g.source),
    )
    _check_references(book, top)
    return book


def _planted(comparison: _Entry) -> dict:
    """[comparison] planted: the changes a synthetic file's generator planted, unit -> "higher" or "lower"."""
    raw = comparison.table.get("planted", {})
    if not isinstance(raw, dict) or any(v not in ("higher", "lower") for v in raw.values()):
        comparison.fail(f"'planted' is {raw!r}", 'planted = { "Unit name" = "higher" or "lower", ... }')
    return dict(raw)


def _scales(top: _Entry) -> dict:
    scales = {}
    for name, entry in top.sub_entries("scales", "scales", "[scales.NAME] tables"):
        labels = entry.words("labels")
        if len(labels) < 2:
            entry.fail(f"'labels' has {len(labels)} label", "at least two labels, in order")
        direction = entry.text("direction", "ascending")
        if direction not in ("ascending", "descending"):
            entry.fail(f"'direction' is {direction!r}", "\"ascending\" (the last label is the most favourable) "
                       "or \"descending\" (the first is)")
        scales[name] = Scale(name, labels, direction, entry.text("negative", "unfavourable"),
                             entry.text("positive", "favourable"))
    return scales


def _question(entry: _Entry, scales: dict, path: Path) -> Question:
    kind = entry.text("type")
    if kind not in KINDS:
        entry.fail(f"'type' is {kind!r}", "one of " + ", ".join(KINDS))
    text = entry.text("text")
    common = {"kind": kind, "text": text, "finding": entry.text("finding", ""), "note": entry.text("note", ""),
              "not_compared_by": entry.words("not_compared_by", [], non_empty=False),
              "topic": entry.text("topic", ""), "intro": entry.text("intro", "")}
    asked = entry.table.get("asked_if")
    if asked is not None:
        sub = _Entry(asked, entry.where + ".asked_if", path)
        common["asked_if"] = Condition(sub.text("column"), sub.words("not_in"), sub.text("note", ""))
    if kind == "multiple_choice":
        name = entry.text("name")
        entry.where += f" {name!r}"
        selected = entry.text("selected", "Yes")
        options = []
        for i, raw in enumerate(entry.table_list("options")):
            option = _Entry(raw, f"{entry.where} options number {i + 1}", path)
            label = option.text("label")
            finding = option.text("finding", label)
            options.append(Option(option.text("column"), label, option.text("text", f"{text}: {label[:1].lower() + label[1:]}"),
                                  finding, option.text("phrase", finding)))
        if not options:
            entry.fail("it has no [[questions.options]]", "one option per tick-box column")
        return Question(name=name, options=tuple(options), selected=selected,
                        answers=(selected, entry.text("not_selected", "No")), headline=(selected,), **common)
    column = entry.text("column")
    entry.where += f" {column!r}"
    scale = None
    if kind == "likert":
        name = entry.text("scale")
        if name not in scales:
            entry.fail(f"'scale' is {name!r}, which is not declared", "the name of a [scales.NAME] table: "
                       + (", ".join(scales) or "none is declared"))
        scale = scales[name]
        answers = scale.labels
        headline = entry.words("headline", list(scale.negative_labels))
    elif kind == "yes_no":
        answers = entry.words("answers", ["Yes", "No"])
        if len(answers) != 2:
            entry.fail(f"'answers' has {len(answers)} labels", "two labels: the yes and the no")
        headline = entry.words("headline", [answers[0]])
    elif kind == "single_choice":
        answers = entry.words("answers")
        headline = entry.words("headline", [], non_empty=False)
    else:
        answers, headline = (), ()
    unknown = [h for h in headline if h not in answers]
    if unknown:
        entry.fail(f"the headline answer {unknown[0]!r} is not one of its labels",
                   "headline answers from: " + ", ".join(answers))
    phrases = entry.table.get("phrases", {})
    if not isinstance(phrases, dict) or any(p not in answers for p in phrases):
        entry.fail(f"'phrases' is {phrases!r}", "a table of answer label = \"phrase\" for labels it has")
    if kind in ("likert", "yes_no") and not common["finding"]:
        entry.fail("'finding' is missing", "finding = \"...\": the words after \"x% of responding ...\"")
    return Question(name=column, column=column, answers=answers, headline=headline, scale=scale,
                    phrases=dict(phrases), **common)


def _grouping(entry: _Entry, questions: tuple[Question, ...]) -> Grouping:
    name = entry.text("column")
    entry.where += f" {name!r}"
    label = entry.text("label", name.replace("_", " "))
    source = entry.table.get("from")
    if source is not None:
        source = entry.text("from")
        edges = entry.table.get("edges")
        if not isinstance(edges, list) or len(edges) < 2 or not all(isinstance(e, (int, float)) for e in edges) \
                or sorted(edges) != edges:
            entry.fail(f"'edges' is {edges!r}", "an increasing list of numbers: the lower edge of each band")
        values = entry.words("labels")
        if len(values) != len(edges):
            entry.fail(f"{len(values)} labels for {len(edges)} edges", "one label per band (one per edge)")
        return Grouping(name, label, values, source=source, edges=tuple(float(e) for e in edges))
    declared = entry.table.get("values")
    if declared is None:
        answering = [q for q in questions if q.column == name and q.kind in ("single_choice", "yes_no", "likert")]
        if not answering:
            entry.fail("'values' is missing", "values = [\"...\", ...] (the groups, in order), or a grouping "
                       "on a single-choice question's column")
        return Grouping(name, label, answering[0].answers)
    return Grouping(name, label, entry.words("values"))


def _margins(population: _Entry) -> dict:
    margins = {}
    for column, entry in population.sub_entries("margins", "population.margins",
                                                "[population.margins.COLUMN] tables of label = share"):
        if not entry.table:
            entry.fail("it is empty", "label = share (or count) for each group of the column")
        for label, value in entry.table.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                entry.fail(f"the target for {label!r} is {value!r}", "a positive number (a share or a count)")
        total = float(sum(entry.table.values()))
        margins[column] = {label: value / total for label, value in entry.table.items()}
    return margins


def _published(entry: _Entry) -> PublishedFigure:
    figure = PublishedFigure(entry.text("column"), entry.text("statement"), entry.text("published"),
                             decimals=entry.number("decimals", 0, whole=True, low=0),
                             percent=entry.number("percent"), at_least=entry.number("at_least"))
    if (figure.percent is None) == (figure.at_least is None):
        entry.fail("it has both or neither of 'percent' and 'at_least'",
                   "percent = the printed percentage, or at_least = a printed bound")
    return figure


def _check_references(book: Codebook, top: _Entry) -> None:
    """Every column a question, grouping, margin or published figure names must be one the codebook knows."""
    known = {c for q in book.questions for c in q.columns}
    groups = {g.name: g for g in book.groupings}
    for question in book.questions:
        if question.asked_if and question.asked_if.column not in known | set(groups):
            top.fail(f"question {question.name!r} is asked_if column {question.asked_if.column!r}, which is "
                     "neither a question nor a grouping", "a declared question or grouping column")
        for name in question.not_compared_by:
            if name not in groups:
                top.fail(f"question {question.name!r} names grouping {name!r} in not_compared_by",
                         "one of the [[groupings]]: " + ", ".join(groups))
    for column, shares in book.margins.items():
        if column in groups:
            unknown = [label for label in shares if label not in groups[column].values]
            if unknown:
                top.fail(f"[population.margins.{column}] has {unknown[0]!r}, which is not a group of {column!r}",
                         "labels from: " + ", ".join(groups[column].values))
    for name in book.weight_within:
        if name not in groups and name not in (book.unit_column, book.period_column):
            top.fail(f"[population] weight_within names {name!r}", "a grouping or the [comparison] unit or period")
    for figure in book.published:
        if figure.column not in known:
            top.fail(f"[[published]] '{figure.statement}' names column {figure.column!r}",
                     "a question's column (or a multiple-choice option's)")
    if book.unit_column and not book.period_column:
        top.fail("[comparison] has a unit but no period", "period = \"the column of the survey year\"")
