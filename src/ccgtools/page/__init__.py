"""The page kit: what every briefing uses to put results on a page.

* :mod:`~ccgtools.page.show` — title, headline, tables, charts, lists and comments
  displayed in a notebook and carried through to the published HTML and CSV files;
* :mod:`~ccgtools.page.charts` — the charts (each a :class:`~ccgtools.page.charts.Chart`
  with its alt text and data);
* :mod:`~ccgtools.page.disclosure` — small-number suppression before anything is shown.

Knows nothing of any briefing; imports only the shared base.
"""
