"""Briefing: the 2012 survey of CCGs on commissioning support.

``load`` (questions and reading a respondent file), ``analysis`` (percentages with
intervals), ``groups`` (breakdowns and tests of association), ``content`` (headline
sentences, the published-figures check, comments, methods) and ``synthetic`` (the
seeded demo file).
"""
