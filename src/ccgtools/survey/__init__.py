"""Briefing: any commissioning survey, described by its codebook.

``codebook`` (the TOML file that describes a survey), ``readers`` (CSV, Excel, SPSS), ``load`` (reading a
respondent file against its codebook), ``weighting`` (raking to population margins), ``analysis``
(percentages with intervals), ``groups`` (breakdowns and tests of association), ``compare`` (one unit
against all and its previous survey), ``content`` and ``advice`` (the page's sentences and next steps),
``charts`` and ``sections`` (the page), ``layouts`` (``ccgtools check``), and ``synthetic`` and
``synthetic_stakeholders`` (the seeded demo files).
"""
