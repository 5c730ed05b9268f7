"""Showing results in a briefing: tables, charts, headlines and free text.

These functions are called from notebook cells. Each displays HTML that reads
well in JupyterLab and in the published briefing, and attaches the numbers in
a machine-readable form (``application/vnd.ccgtools.table+json``) that
``ccgtools build`` collects into CSV files beside the HTML. Every piece of text
that came from data is HTML-escaped here; free text is also redacted.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import display
from markupsafe import escape

from .. import config
from ..io import files_read
from .chart_check import layout_problems, recording_texts
from .charts import FONT_PT, WATERMARK_GID, Chart, to_svg
from .disclosure import rules_applied
from .downloads import field_heading, is_snake_case, readable_to_data, schema_fields, tidy_frame
from .media_types import FACTS_MIMETYPE, SOURCES_MIMETYPE, TABLE_MIMETYPE  # noqa: F401  (re-exported)

SUPPRESSED_MARK = "*"
#: A cell with no value because none applies (not because it was withheld).
NOT_APPLICABLE_MARK = "–"

#: What this page has declared about itself (one kernel runs one briefing): its synthetic-data note.
_PAGE: dict[str, str | None] = {"synthetic": None}
SYNTHETIC_MARK = "SYNTHETIC DATA"

_REDACTIONS = (
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[e-mail address removed]"),
    # NHS number: 10 digits, often written 3-3-4.
    (re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b"), "[number removed]"),
    # UK telephone numbers: 0 or +44 followed by 9-10 more digits, with spaces.
    # Separators only between digits, so the space after the number stays in the text.
    (re.compile(r"(\+44\s?|\b0)(?:[\s-]?\d){9,10}\b"), "[telephone number removed]"),
)


def redact(text: str) -> str:
    """Remove e-mail addresses, NHS numbers and telephone numbers from free text."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def format_interval(value: float, lower: float, upper: float, *, unit: str = "%", decimals: int = 1) -> str:
    """Write an estimate and its interval as ``84.2% (75.6 to 90.2)`` (``decimals`` places); ``*`` when
    suppressed."""
    if pd.isna(value):
        return SUPPRESSED_MARK
    return f"{value:.{decimals}f}{unit} ({lower:.{decimals}f} to {upper:.{decimals}f})"


def _format_cell(value, decimals: int = 1, *, suppressed: bool = False) -> str:
    """A number as text; a missing value as ``*`` on a suppressed row, otherwise ``–`` (not applicable)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return SUPPRESSED_MARK if suppressed else NOT_APPLICABLE_MARK
    if isinstance(value, (bool, np.bool_)):
        return "Yes" if value else "No"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if decimals >= 3 and 0 < abs(value) < 10 ** -decimals:
            return f"<{10 ** -decimals:.{decimals}f}"
        return f"{value:,.{decimals}f}"
    return str(value)


def _whole_numbers(column: pd.Series) -> bool:
    """Whether a float column holds only whole numbers (counts carried as floats): shown without decimals."""
    if not pd.api.types.is_float_dtype(column):
        return False
    values = column.dropna().to_numpy()
    return len(values) > 0 and bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))


def readable_table(
    table: pd.DataFrame,
    columns: Mapping[str, str],
    *,
    interval: tuple[str, str, str] | None = None,
    interval_label: str = "Percent (95% CI)",
    decimals: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """A copy of ``table`` as text for reading: chosen columns, plain names, formatted numbers.

    Parameters
    ----------
    table : pandas.DataFrame
        Numbers as computed (suppressed values already NaN).
    columns : mapping
        Column name → heading, in the order to show.
    interval : (value, lower, upper), optional
        Columns combined into one ``84.2% (75.6 to 90.2)`` column named
        ``interval_label``, placed where ``value`` appears in ``columns``; ``83% (73 to 90)``
        when all three hold whole numbers (figures published rounded, as weighted survey figures are).
    decimals : mapping, optional
        Decimal places for particular columns (default 1), e.g. ``{"p_value": 3}``;
        with 3 or more, values smaller than the last place are written ``<0.001``.

    Returns
    -------
    pandas.DataFrame
        Strings only: whole numbers with thousands separators, other numbers to
        one decimal place, True/False as Yes/No, missing or suppressed as ``*``.
    """
    out = {}
    withheld = _suppressed_rows(table)
    for column, heading in columns.items():
        if interval is not None and column == interval[0]:
            value, lower, upper = (table[c] for c in interval)
            places = 0 if all(_whole_numbers(table[c]) for c in interval) else 1
            out[interval_label] = [format_interval(v, lo, hi, decimals=places) if pd.notna(v) or hidden
                                   else NOT_APPLICABLE_MARK
                                   for v, lo, hi, hidden in zip(value, lower, upper, withheld)]
        else:
            places = (decimals or {}).get(column, 0 if _whole_numbers(table[column]) else 1)
            out[heading] = [_format_cell(v, places, suppressed=hidden)
                            for v, hidden in zip(table[column].astype(object), withheld)]
    readable = pd.DataFrame(out, index=table.index)
    readable.attrs = dict(table.attrs)  # keeps the disclosure rules applied to the numbers
    return readable


def _suppressed_rows(table: pd.DataFrame) -> list[bool]:
    """Which rows the disclosure module withheld values on (its ``suppressed`` column, under that name or its
    heading; none without it)."""
    for column in ("suppressed", field_heading("suppressed")):
        if column in table:
            return [bool(v) if pd.notna(v) else False for v in table[column]]
    return [False] * len(table)


def table_key(cells: Sequence[str]) -> str:
    """The key for the marks a table uses ("* suppressed (small number); – not applicable"), or ""."""
    marks = set(cells)
    parts = ([f"{SUPPRESSED_MARK} withheld to protect confidentiality (a small number, or one that would "
              "reveal it)"] if SUPPRESSED_MARK in marks else [])
    parts += [f"{NOT_APPLICABLE_MARK} not applicable"] if NOT_APPLICABLE_MARK in marks else []
    return "; ".join(parts)


def table_html(table: pd.DataFrame, caption: str) -> str:
    """An accessible HTML table (caption, column headers with scope), every cell escaped, and a key to
    the marks it uses."""
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in table.columns)
    withheld = _suppressed_rows(table)
    places = [0 if _whole_numbers(table.iloc[:, i]) else 1 for i in range(table.shape[1])]  # 83, not 83.0
    rows = [[_format_cell(v, p, suppressed=hidden) if not isinstance(v, str) else v for v, p in zip(row, places)]
            for row, hidden in zip(table.itertuples(index=False), withheld)]
    key = table_key([cell for row in rows for cell in row])
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return (f'<div class="ccg-table-wrap" tabindex="0" role="region" aria-label="{escape(caption)}">'
            f'<table class="ccg-table"><caption>{escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            + (f'<p class="ccg-table-key">Key: {escape(key)}.</p>' if key else "") + "</div>")


def synthetic_banner(note: str) -> str:
    """The HTML of the banner that opens every page built on synthetic data."""
    sentence = note.strip()
    sentence = sentence[:1].upper() + sentence[1:] + ("" if sentence.endswith(".") else ".")
    return (f'<div class="ccg-synthetic" role="note"><p><strong>Synthetic data, for demonstration.</strong> '
            f"{escape(sentence)} Nothing on this page describes a real organisation: do not quote it as "
            "evidence.</p></div>")


def show_title(title: str, lede: str = "", *, geography: str = "", period: str = "",
               synthetic: str | None = None) -> None:
    """Display the briefing's one top-level heading and an introductory sentence.

    ``geography`` and ``period`` are also passed to the page header of the published briefing.
    ``synthetic``, when the data are synthetic, says in plain words what they are (e.g. "invented
    responses from 95 CCGs, made to reproduce the published figures"): the page then opens with a
    banner saying so, the headline says so first, every chart carries the words "synthetic data",
    and the index entry is marked.
    """
    _PAGE["synthetic"] = synthetic or None
    html = (f"<h1>{escape(title)}</h1>" + (synthetic_banner(synthetic) if synthetic else "")
            + (f'<p class="ccg-lede">{escape(lede)}</p>' if lede else ""))
    display({"text/html": html, "text/plain": title,
             FACTS_MIMETYPE: {"title": title, "geography": geography, "period": period,
                              "synthetic": synthetic or ""}}, raw=True)


def show_table(table: pd.DataFrame, *, name: str, caption: str, csv: pd.DataFrame | None = None,
               empty_message: str = "No rows to show.", collapsed: bool = False) -> None:
    """Display ``table`` as HTML and attach ``csv`` (default: ``table``) for publication as ``name.csv``.

    The CSV is tidied (:func:`csv_table`: snake_case headers, numbers as numbers, no float noise,
    formulas neutralised) and its fields' types are attached for the briefing's ``datapackage.json``.

    An empty table shows ``empty_message`` instead and publishes no CSV. ``collapsed`` puts the
    table in a ``<details>`` element that the reader opens (for long tables behind a chart).
    """
    if table.empty:
        if empty_message:
            display({"text/html": f"<p>{escape(empty_message)}</p>", "text/plain": empty_message}, raw=True)
        return
    data = table if csv is None else csv
    rules = list(dict.fromkeys([*rules_applied(table), *rules_applied(data)]))
    download = csv_table(data, name=name, readable=csv is None)
    html = table_html(table, caption).replace('<div class="ccg-table-wrap"',
                                              f'<div class="ccg-table-wrap" data-table-name="{escape(name)}"', 1)
    if collapsed:
        html = (f'<details class="ccg-details"><summary>{escape(caption)} ({len(table):,} rows)</summary>'
                f"{html}</details>")
    display({
        "text/html": html,
        "text/plain": f"{caption} ({len(table)} rows)",
        TABLE_MIMETYPE: {"name": name, "caption": caption, "csv": download.to_csv(index=False), "disclosure": rules,
                         "fields": schema_fields(download)},
    }, raw=True)


def csv_table(data: pd.DataFrame, *, name: str, readable: bool = False) -> pd.DataFrame:
    """The table as published in its CSV file (:func:`ccgtools.page.downloads.tidy_frame`).

    With ``readable`` (no numbers were passed, only the table shown), a table with headings that are
    not snake_case is taken for a readable one and turned back into data first
    (:func:`ccgtools.page.downloads.readable_to_data`).
    """
    if readable and not all(is_snake_case(c) for c in data.columns):
        data = readable_to_data(data)
    return tidy_frame(data, table=name)


def mark_synthetic(figure, band_in: float = 0.34) -> None:
    """Write "SYNTHETIC DATA" across a chart and above it, so that a copied image keeps the warning.

    The figure grows by ``band_in`` inches at the top and its layout is confined to the part below,
    so the plot keeps its exact size and place (labels already placed stay clear of the markers).
    The watermark lies across the data on purpose (group id
    :data:`ccgtools.page.charts.WATERMARK_GID`, which the legibility check leaves out).
    """
    width, height = figure.get_size_inches()
    figure.set_size_inches(width, height + band_in)
    engine = figure.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0, 0, 1, height / (height + band_in)))
    figure.text(0.5, 0.5, SYNTHETIC_MARK, transform=figure.transFigure, ha="center", va="center",
                rotation=25, fontsize=30, color="#768692", alpha=0.22, fontweight="bold", zorder=100,
                gid=WATERMARK_GID)
    figure.text(0.02, 1 - band_in / 2 / (height + band_in), f"{SYNTHETIC_MARK}: invented, not real NHS figures",
                ha="left", va="center", fontsize=FONT_PT, fontweight="bold", color="#212b32")


def show_chart(chart: Chart, *, caption: str | None = None, csv: pd.DataFrame | None = None) -> None:
    """Display a chart as inline SVG (text kept as text) under its title, with the one sentence that
    says what it shows, and attach its data for publication as CSV.

    The chart's alt text is the SVG's accessible name. On a page declared synthetic
    (:func:`show_title`), the image and its alt text say so. Any legibility problem found by
    :func:`ccgtools.page.chart_check.layout_problems` is recorded in the output's metadata
    (``ccgtools/chart-problems``), where the tests read it for every chart of every briefing.
    ``csv``, when given, is published as the chart's CSV in place of its data (which the page shows
    under the chart), e.g. with snake_case headers where the page's table has words.
    """
    alt_text = chart.alt_text
    if _PAGE["synthetic"]:
        mark_synthetic(chart.figure)
        alt_text = f"Synthetic data (invented, not real NHS figures). {alt_text}"
    with recording_texts(chart.figure) as drawn:  # drawn once: for the SVG, and checked as drawn
        svg = to_svg(chart, label=alt_text)
    problems = layout_problems(chart.figure, drawn=drawn)
    title = f'<p class="ccg-chart-title">{escape(chart.title)}</p>' if chart.title else ""
    summary = f'<p class="ccg-chart-summary">{escape(chart.summary)}</p>' if chart.summary else ""
    html = f'<figure class="ccg-figure" data-chart-name="{escape(chart.name)}">{title}{svg}{summary}</figure>'
    display({"text/html": html, "image/svg+xml": svg, "text/plain": alt_text},
            metadata={"ccgtools/chart-problems": problems, "ccgtools/chart-name": chart.name}, raw=True)
    # The page's table has plain headings (the field dictionary's); the CSV keeps the snake_case names.
    readable = chart.data.rename(columns=field_heading)
    readable.attrs = dict(chart.data.attrs)
    show_table(readable, name=chart.name, collapsed=True, csv=chart.data if csv is None else csv,
               caption=caption or f"Data behind the chart: {chart.title or chart.name.replace('_', ' ')}")


def show_headline(sentences: Sequence[str], *, title: str = "Headline findings") -> None:
    """Display the plain-English headline findings as a highlighted list.

    On a page declared synthetic (:func:`show_title`) the box says so in one line under its heading,
    before the first finding (kept short, so that the finding stays in a phone's first screen).
    """
    note = ""
    if _PAGE["synthetic"]:
        title = f"{title} (synthetic data)"
        note = "Synthetic data: these show what the analysis does, not how any real organisation performs."
    items = "".join(f"<li>{escape(s)}</li>" for s in sentences)
    html_note = f'<p class="ccg-headline-note">{escape(note)}</p>' if note else ""
    display({"text/html": f'<section class="ccg-headline" aria-label="{escape(title)}">'
                          f"<h2>{escape(title)}</h2>{html_note}<ul>{items}</ul></section>",
             "text/plain": "\n".join([note, *sentences] if note else sentences)}, raw=True)


def show_comments(comments: Sequence[str]) -> None:
    """Display free-text comments as quotations: redacted, then HTML-escaped."""
    if not comments:
        display({"text/html": "<p>No comments were given.</p>", "text/plain": "No comments."}, raw=True)
        return
    safe = [escape(redact(str(c))) for c in comments]
    items = "".join(f"<li><blockquote>{c}</blockquote></li>" for c in safe)
    display({"text/html": f'<ul class="ccg-comments">{items}</ul>',
             "text/plain": "\n".join(redact(str(c)) for c in comments)}, raw=True)


def show_warnings(notes: pd.DataFrame, *, title: str = "Data left out, and why") -> None:
    """Display data-quality notes (columns issue, action) as a visible warning box; nothing when empty."""
    if notes.empty:
        display({"text/html": "<p>No data were left out: every row passed the checks.</p>",
                 "text/plain": "No data were left out."}, raw=True)
        return
    items = "".join(f"<li>{escape(row.issue)}: <strong>{escape(row.action)}</strong>.</li>"
                    for row in notes.itertuples())
    display({"text/html": f'<div class="ccg-warning" role="note"><h3>{escape(title)}</h3><ul>{items}</ul></div>',
             "text/plain": "\n".join(f"{row.issue}: {row.action}" for row in notes.itertuples())}, raw=True)


def show_charts(charts: Sequence[Chart]) -> None:
    """Display several charts in turn, each with its alt text and data (see :func:`show_chart`)."""
    for chart in charts:
        show_chart(chart)


def show_section(heading: str, paragraphs: Sequence[str] = ()) -> None:
    """Display a section heading and its plain-text paragraphs (escaped), for a section that appears
    only when its analysis ran; the heading joins the page's contents list like a markdown heading."""
    html = f"<h2>{escape(heading)}</h2>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    display({"text/html": html, "text/plain": "\n\n".join([heading, *paragraphs])}, raw=True)


def show_list(items: Sequence[str], *, intro: str = "") -> None:
    """Display a short bulleted list of plain-text items (escaped); nothing when there are none."""
    if not items:
        return
    html = (f"<p>{escape(intro)}</p>" if intro else "") + "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
    display({"text/html": html, "text/plain": "\n".join(items)}, raw=True)


def show_next_steps(steps: Sequence[str], *, heading: str = "What this means for commissioners") -> None:
    """Display the next steps a briefing's results support (and what not to conclude) as the section that
    ends its findings; nothing when there are none."""
    if not steps:
        return
    items = "".join(f"<li>{escape(step)}</li>" for step in steps)
    display({"text/html": f'<section class="ccg-next-steps" aria-label="{escape(heading)}"><h2>{escape(heading)}</h2>'
                          f"<ul>{items}</ul></section>",
             "text/plain": "\n".join([heading, *steps])}, raw=True)


@lru_cache(maxsize=1)
def glossary() -> dict[str, dict[str, str]]:
    """The plain-English glossary (``page/glossary.toml``): key → {term, meaning}."""
    with (Path(__file__).parent / "glossary.toml").open("rb") as handle:
        return tomllib.load(handle)


def show_glossary(keys: Sequence[str], *, heading: str = "Words used on this page") -> None:
    """Display the meanings of the glossary terms a page uses, in the order given.

    Raises
    ------
    KeyError
        For a key the glossary does not define (named, with the keys that exist).
    """
    terms = glossary()
    unknown = [k for k in keys if k not in terms]
    if unknown:
        raise KeyError(f"not in the glossary: {', '.join(unknown)}; it has {', '.join(terms)}")
    items = "".join(f"<dt>{escape(terms[k]['term'])}</dt><dd>{escape(terms[k]['meaning'])}</dd>" for k in keys)
    display({"text/html": f'<h2>{escape(heading)}</h2><dl class="ccg-glossary">{items}</dl>',
             "text/plain": "\n".join(f"{terms[k]['term']}: {terms[k]['meaning']}" for k in keys)}, raw=True)


def show_sources() -> None:
    """Attach the list of input files this briefing read, for the page's footer (nothing visible here).

    Each file is given relative to the project root ("data/x.csv", "../shared/real-data/y.csv") with its
    SHA-256, so the footer lists exactly the files the analysis read, and the same in any checkout.
    Call it last, once every file has been read.
    """
    sources = [{"path": config.portable_path(path), "sha256": config.sha256_of(path)}
               for path in files_read()]
    display({"text/plain": f"{len(sources)} input file(s) read", SOURCES_MIMETYPE: {"files": sources}}, raw=True)
