"""Downloading real published data into ``data/real/``, with its source and licence recorded (``ccgtools fetch``).

One :class:`Source` per publisher's product. OHID Fingertips has a stable API, so an indicator is
fetched by its id (``ccgtools fetch fingertips --indicator 91547 --area-type gp``); NHS England's IUC
ADC, NHS Digital's GP registrations and the ODS practice file move to a new address with each
publication, so they are fetched from the address given (``ccgtools fetch iucadc --url URL``).
Every file is written atomically (a partial download never takes a file's name) and listed in
``sources.json`` beside it: address, publisher, licence, date retrieved and SHA-256. The folder gets a
``.gitignore`` of its own so real files are never committed by accident.

Only the standard library (:mod:`urllib`) is used; a base address can be given (``--base-url``) so
tests serve the files from 127.0.0.1.

Why not ``fingertips_py`` (PHE/OHID's Python client, 0.4.3): it was considered and is deliberately not
used, for four reasons found in its source. (1) It returns a DataFrame parsed by :func:`pandas.read_csv`,
so the file saved would be pandas' re-serialisation, not the bytes Fingertips published: numbers
re-formatted, blank and ``NA`` cells merged, and the SHA-256 recorded in ``sources.json`` would not be the
published file's. ccgtools' loaders read files *as published*, quirks included. (2) On any
``URLError`` (an HTTP 404 included) it retries with ``requests.get(url, verify=False)``, silently
turning off TLS certificate checks, which is not acceptable inside NHS networks. (3) Its address is
a module constant (``fingertips_py.api_calls.base_url``, copied into ``retrieve_data`` at import), so
tests could only point it at 127.0.0.1 by patching a private global. (4) It adds ``requests`` and a
GPL-3.0 licence to an MIT-licensed tool for one URL that :func:`fingertips_url` builds from the same
documented API (``/api/all_data/csv/by_indicator_id``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import config
from .errors import CcgtoolsError, ParameterError

#: Where fetched files go by default (ignored by git: the folder has its own .gitignore).
REAL_DATA_DIR = config.DATA_DIR / "real"
OGL = "Open Government Licence v3.0 (https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)"
#: Fingertips' area type ids (https://fingertips.phe.org.uk/api#!/Areas/Areas_GetAreaTypes).
FINGERTIPS_AREA_TYPES = {"gp": 7, "pcn": 204, "icb": 221, "sub-icb": 66, "region": 6, "england": 15}
FINGERTIPS_BASE = "https://fingertips.phe.org.uk"
TIMEOUT_S = 120.0


class FetchError(CcgtoolsError):
    """A download that failed: the address, and why."""


@dataclass(frozen=True)
class Source:
    """A publisher's product: what it is, who publishes it, under which licence, and where to find it."""

    key: str
    title: str
    publisher: str
    licence: str
    page: str  # where a person finds the current file


SOURCES = {
    "fingertips": Source("fingertips", "OHID Fingertips indicator export (all data for one indicator)",
                         "Office for Health Improvement and Disparities", OGL, "https://fingertips.phe.org.uk/"),
    "iucadc": Source("iucadc", "Integrated Urgent Care Aggregate Data Collection (IUC ADC)", "NHS England", OGL,
                     "https://www.england.nhs.uk/statistics/statistical-work-areas/iucadc-new-from-april-2021/"),
    "gp-registrations": Source("gp-registrations", "Patients Registered at a GP Practice", "NHS England (NHS Digital)",
                               OGL, "https://digital.nhs.uk/data-and-information/publications/statistical/"
                                    "patients-registered-at-a-gp-practice"),
    "ods": Source("ods", "ODS GP practices (epraccur)", "NHS England Organisation Data Service", OGL,
                  "https://digital.nhs.uk/services/organisation-data-service/export-data-files/csv-downloads/"
                  "gp-and-gp-practice-related-data"),
}


def fingertips_url(indicator: int, area_type: str, base: str = FINGERTIPS_BASE) -> str:
    """The Fingertips API address of every value of one indicator for one area type (CSV)."""
    if area_type not in FINGERTIPS_AREA_TYPES:
        raise ParameterError(f"--area-type {area_type!r}: unknown; expected one of {', '.join(FINGERTIPS_AREA_TYPES)}")
    if isinstance(indicator, bool) or not isinstance(indicator, int) or indicator <= 0:
        raise ParameterError(f"--indicator {indicator!r}: expected a Fingertips indicator id (a positive whole number)")
    query = urllib.parse.urlencode({"indicator_ids": indicator, "child_area_type_id": FINGERTIPS_AREA_TYPES[area_type]})
    return f"{base.rstrip('/')}/api/all_data/csv/by_indicator_id?{query}"


def file_name(source: Source, url: str, *, indicator: int | None = None, area_type: str | None = None) -> str:
    """The name a fetched file is saved under: ``fingertips_<id>_<area>.csv``, else the address's own file name."""
    if source.key == "fingertips":
        return f"fingertips_{indicator}_{area_type}.csv"
    name = Path(urllib.parse.urlparse(url).path).name
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name) or f"{source.key}.csv"
    return name if "." in name else f"{name}.csv"


def download(url: str, destination: Path, *, timeout: float = TIMEOUT_S) -> str:
    """Download ``url`` into ``destination`` atomically; returns the file's SHA-256.

    Method: stream into a temporary file in the same folder, then :func:`os.replace` it onto the
    destination, so an interrupted download leaves any earlier file as it was.

    Raises
    ------
    FetchError
        An address that is not http(s), an HTTP error status, a network failure, or an empty answer.
    """
    if urllib.parse.urlparse(url).scheme not in ("http", "https"):
        raise FetchError(f"{url}: not an http(s) address")
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".fetch-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as answer:  # http(s) only: checked above
                    while chunk := answer.read(1 << 16):
                        digest.update(chunk)
                        out.write(chunk)
            except urllib.error.HTTPError as exc:
                raise FetchError(f"{url}: the server answered {exc.code} {exc.reason}") from None
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise FetchError(f"{url}: could not download ({reason})") from None
        if os.path.getsize(temporary) == 0:
            raise FetchError(f"{url}: the server sent an empty file")
        os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return digest.hexdigest()


def record(folder: Path, name: str, source: Source, url: str, sha256: str, *, today: dt.date | None = None) -> Path:
    """Add (or replace) the file's entry in ``folder/sources.json``: address, publisher, licence, date, SHA-256."""
    path = folder / "sources.json"
    entries = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    entries[name] = {"source": source.title, "publisher": source.publisher, "licence": source.licence, "url": url,
                     "retrieved": f"{today or dt.date.today():%Y-%m-%d}", "sha256": sha256, "page": source.page}
    path.write_text(json.dumps(entries, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# real published data: fetched with `ccgtools fetch`, never committed\n*\n",
                          encoding="utf-8")
    return path


def fetch(source_key: str, *, url: str | None = None, indicator: int | None = None, area_type: str = "gp",
          out: str | Path | None = None, base_url: str = FINGERTIPS_BASE, timeout: float = TIMEOUT_S) -> Path:
    """Fetch one file of ``source_key`` into ``out`` (default ``data/real/``) and record it; returns its path.

    Raises
    ------
    ParameterError
        An unknown source; a Fingertips fetch without ``indicator``; another source without ``url``.
    FetchError
        The download failed.
    """
    if source_key not in SOURCES:
        raise ParameterError(f"unknown source {source_key!r}; expected one of {', '.join(SOURCES)}")
    source = SOURCES[source_key]
    if source_key == "fingertips" and url is None:
        if indicator is None:
            raise ParameterError("fetch fingertips needs --indicator ID (e.g. 91547, QOF smoking prevalence)")
        url = fingertips_url(indicator, area_type, base_url)
    if url is None:
        raise ParameterError(f"fetch {source_key} needs --url: the address of the file on {source.page} "
                             "(it changes with each publication)")
    folder = Path(out).expanduser().absolute() if out else REAL_DATA_DIR
    destination = folder / file_name(source, url, indicator=indicator, area_type=area_type)
    sha256 = download(url, destination, timeout=timeout)
    record(folder, destination.name, source, url, sha256)
    return destination
