"""Briefing: which NHS 111 contracts really underperform.

``load`` (KPI definitions in ``indicators.toml``, the MDS and IUC ADC layouts, data
quality), ``ranking`` (funnels, rank intervals, bottom-fifth counts, composite, SPC
series), ``content`` (headline, charts and tables) and ``synthetic`` (the seeded
2013-14 demo data).
"""
