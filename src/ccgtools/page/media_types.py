"""The media types a briefing's notebook outputs carry from :mod:`~ccgtools.page.show` to the build.

Kept apart from ``show`` (which imports matplotlib, scipy and pandas) so that the build's renderer,
which only reads these outputs, does not pay for the plotting stack in the build process.
"""

#: A table published with the page (its CSV text and fields), for the briefing's downloads.
TABLE_MIMETYPE = "application/vnd.ccgtools.table+json"
#: Facts about the page (synthetic or not, geography, period, …) for the index and manifest.
FACTS_MIMETYPE = "application/vnd.ccgtools.facts+json"
#: The input files the page read, for its provenance footer.
SOURCES_MIMETYPE = "application/vnd.ccgtools.sources+json"
