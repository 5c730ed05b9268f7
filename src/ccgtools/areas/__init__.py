"""Briefing: area profiles, one page per integrated care board (ICB).

``load`` (the ICB, practice and indicator files, cross-checked), the analyses (``casemix`` expected
counts, ``spine`` values against England, ``ranks`` with intervals, ``peers`` the 10 most similar areas,
``change`` credible change between years), ``profile`` (all of them for one area), ``charts`` and
``content`` (the page), ``advice`` (what it means for commissioners) and ``synthetic`` (the seeded
England-sized practice set). Imports only the shared base.
"""
