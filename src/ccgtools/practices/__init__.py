"""Briefing: GP practice variation, crude against fairly adjusted.

``load`` (quinary registers, Fingertips, HEEC, list sizes, ODS epraccur), ``variation``
(crude, age-sex standardised and GLM-and-over-dispersion adjusted views), ``report``
(tables, headline and chart) and ``synthetic`` (seeded practices with planted
outliers).
"""
