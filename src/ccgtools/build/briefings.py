"""The build configuration (``briefings.toml``): briefings, parameter sweeps, and what each depends on.

Light on purpose: it imports nothing heavier than the standard library, so that
``ccgtools build`` can decide that nothing has changed (and stop) in well under a
second, without starting Python's scientific stack.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import json
import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import __version__, config
from ..errors import ConfigError

_KEYS = {"name", "title", "notebook", "parameters", "description", "requires", "disclosure", "sweep", "variants",
         "timeout"}
#: Keys of the optional ``[build]`` table: settings for the whole build.
_BUILD_KEYS = {"timeout"}
#: Seconds a briefing's notebook may run before it is stopped and fails, unless ``[build]`` or the
#: briefing sets another limit. Generous: the slowest bundled briefing takes about 10 s here.
DEFAULT_TIMEOUT_S = 600.0
#: Files whose content is part of every briefing's cache key: ccgtools' own code and templates.
PACKAGE_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Briefing:
    """One rendering: a notebook with one parameter set and an output name."""

    name: str
    title: str
    notebook: Path
    parameters: dict = field(default_factory=dict)
    description: str = ""
    requires: tuple[Path, ...] = ()
    disclosure: str = ""
    timeout: float = DEFAULT_TIMEOUT_S  # seconds the notebook may run (not part of the cache key)

    def missing_requirements(self) -> list[Path]:
        """Files this briefing needs that are not on this machine (e.g. ../shared/real-data/)."""
        return [path for path in self.requires if not path.exists()]


def load_build_config(path: str | Path | None = None, *, default_timeout: float | None = None) -> list[Briefing]:
    """Read a build config, expanding sweeps into one :class:`Briefing` per parameter set.

    A ``[[briefing]]`` entry may have ``sweep`` (a table of parameter name → list of values;
    every combination is rendered) or ``variants`` (a list of parameter tables); its
    ``name`` and ``title`` are then templates filled from each set's parameters, e.g.
    ``name = "practice_variation_{indicator}"``.

    Parameters
    ----------
    path : path, optional
        The config file (default ``briefings.toml`` in the project root).
    default_timeout : float, optional
        Time limit (seconds) for briefings that set none of their own, replacing the
        config's ``[build] timeout`` (e.g. from ``ccgtools build --timeout``).

    Raises
    ------
    ConfigError
        Unreadable TOML, a missing name, title or notebook, an unknown key, a name
        template naming a parameter the set does not have, a repeated or unsafe name,
        a time limit that is not a positive number of seconds.
    """
    path = config_path(path)
    document = read_toml(path)
    entries = document.get("briefing", [])
    if not entries:
        raise ConfigError(f"{path}: no [[briefing]] entries")
    build_default = build_timeout(document.get("build", {}), f"{path}, [build]")
    if default_timeout is not None:
        build_default = check_timeout(default_timeout, "the default time limit")
    briefings, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}, briefing {number}"
        _check_entry(entry, where)
        for parameters in _parameter_sets(entry, where):
            name = _fill(entry["name"], parameters, where, "name")
            if not name.replace("_", "").replace("-", "").replace(".", "").isalnum() or name.startswith("."):
                raise ConfigError(f"{where}: name {name!r} must use only letters, digits, '_', '-' and '.'")
            if name in seen:
                raise ConfigError(f"{where}: the name {name!r} is used twice")
            seen.add(name)
            briefings.append(Briefing(
                name=name, title=_fill(entry["title"], parameters, where, "title"),
                notebook=config.resolve_path(entry["notebook"], config.NOTEBOOKS_DIR), parameters=parameters,
                description=_fill(entry.get("description", ""), parameters, where, "description"),
                requires=tuple(config.resolve_path(r, config.PROJECT_ROOT) for r in entry.get("requires", [])),
                disclosure=entry.get("disclosure", ""),
                timeout=(check_timeout(entry["timeout"], f"{where}: 'timeout'") if "timeout" in entry
                         else build_default)))
    return briefings


def check_timeout(value, what: str) -> float:
    """A time limit as float seconds; anything but a positive number is refused.

    Raises
    ------
    ConfigError
        ``value`` is not a number (booleans included), or not above zero.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigError(f"{what} must be a positive number of seconds; found {value!r}")
    return float(value)


def build_timeout(table, where: str) -> float:
    """The default time limit from a config's ``[build]`` table (:data:`DEFAULT_TIMEOUT_S` when absent).

    Raises
    ------
    ConfigError
        ``[build]`` is not a table, has an unknown key, or a bad ``timeout``.
    """
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table of settings ({', '.join(sorted(_BUILD_KEYS))})")
    unknown = set(table) - _BUILD_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; expected "
                          f"{', '.join(sorted(_BUILD_KEYS))}")
    return check_timeout(table["timeout"], f"{where}: 'timeout'") if "timeout" in table else DEFAULT_TIMEOUT_S


def _check_entry(entry: dict, where: str) -> None:
    unknown = set(entry) - _KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; expected {', '.join(sorted(_KEYS))}")
    for key in ("name", "title", "notebook"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ConfigError(f"{where}: '{key}' is required (a non-empty string)")
    if not isinstance(entry.get("parameters", {}), dict):
        raise ConfigError(f"{where}: 'parameters' must be a table of name = value")
    requires = entry.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise ConfigError(f"{where}: 'requires' must be a list of file paths")
    sweep = entry.get("sweep", {})
    if not isinstance(sweep, dict) or not all(isinstance(v, list) and v for v in sweep.values()):
        raise ConfigError(f"{where}: 'sweep' must be a table of parameter name = [values, ...]")
    variants = entry.get("variants", [])
    if not isinstance(variants, list) or not all(isinstance(v, dict) for v in variants):
        raise ConfigError(f"{where}: 'variants' must be a list of parameter tables")


def _parameter_sets(entry: dict, where: str) -> list[dict]:
    base = dict(entry.get("parameters", {}))
    sweep = entry.get("sweep", {})
    product = [dict(zip(sweep, values)) for values in itertools.product(*sweep.values())] if sweep else [{}]
    variants = entry.get("variants") or [{}]
    return [{**base, **combo, **variant} for combo in product for variant in variants]


def _fill(template: str, parameters: dict, where: str, key: str) -> str:
    try:
        return template.format(**parameters)
    except KeyError as exc:
        raise ConfigError(f"{where}: '{key}' refers to {{{exc.args[0]}}}, which is not a parameter of "
                          "this set") from exc
    except (IndexError, ValueError) as exc:
        raise ConfigError(f"{where}: '{key}' is not a valid template ({exc})") from exc


def config_path(path: str | Path | None) -> Path:
    """The build config's path: ``--config FILE`` as a person typed it, from the current folder; else the project's.

    A relative path given on the command line means the file in the folder the command runs in (as every
    command-line tool does); the default is ``briefings.toml`` in the project root.
    """
    if path is None or str(path).strip() == "":
        return config.BUILD_CONFIG
    return Path(os.path.normpath(Path(str(path).strip()).expanduser().absolute()))


def read_toml(path: Path) -> dict:
    """Read a TOML file as UTF-8, a byte-order mark allowed; ConfigError naming the file for anything else.

    Method: the bytes are decoded as UTF-8 (``utf-8-sig`` drops a leading byte-order mark, which Notepad
    writes and TOML does not allow); text that is not UTF-8 (e.g. Windows-1252 from an older editor) is
    refused with the byte and line where it fails, since TOML files must be UTF-8.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: build config not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a build config file") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}; saved as Windows-1252?); "
                          "TOML files must be UTF-8: save it again as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def notebook_defaults(notebook: Path) -> dict:
    """The literal default of each parameter in the notebook's ``parameters`` cell.

    Read with ``json`` and ``ast`` (not papermill, whose import is slow): every
    assignment ``name = literal`` in the cell tagged ``parameters``.

    Raises
    ------
    ConfigError
        No ``parameters`` cell, or a default that is not a literal.
    """
    document = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in document.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            defaults = {}
            for node in ast.parse(source).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    try:
                        defaults[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError as exc:
                        raise ConfigError(f"{notebook.name}: parameter {node.targets[0].id} has a default that "
                                          "is not a literal") from exc
            return defaults
    raise ConfigError(f"{notebook.name}: no cell tagged 'parameters'")


def effective_parameters(briefing: Briefing) -> dict:
    """Notebook defaults overlaid with the briefing's parameters; unknown names and wrong types refused.

    Papermill only warns when a parameter is not declared in the notebook; a
    misspelt parameter would silently change nothing, so ccgtools refuses it.
    """
    if not briefing.notebook.is_file():
        raise ConfigError(f"briefing {briefing.name!r}: notebook not found: {briefing.notebook}")
    defaults = notebook_defaults(briefing.notebook)
    unknown = sorted(set(briefing.parameters) - set(defaults))
    if unknown:
        raise ConfigError(f"briefing {briefing.name!r}: unknown parameter(s) {', '.join(unknown)} for "
                          f"{briefing.notebook.name}; it declares {', '.join(sorted(defaults))}")
    for key, value in briefing.parameters.items():
        default = defaults[key]
        if default is not None and value is not None and not _same_kind(default, value):
            raise ConfigError(f"briefing {briefing.name!r}: parameter {key} = {value!r} should be "
                              f"{type(default).__name__} like the notebook's default {default!r}")
    merged = {**defaults, **briefing.parameters}
    check_parameter_values(briefing, merged)
    return merged


def parameter_rules() -> dict:
    """Each notebook's parameter rules, by notebook file name, from the briefing packages that declare them.

    The rules modules are light (no pandas), so reading the config stays fast.
    """
    from ..areas import parameters as areas
    from ..nhs111 import parameters as nhs111
    from ..practices import parameters as practices
    from ..survey import parameters as survey

    return {module.NOTEBOOK: module for module in (survey, nhs111, practices, areas)}


def check_parameter_values(briefing: Briefing, values: dict) -> None:
    """ConfigError naming the briefing and the first parameter whose value breaks its rule (range, choice, date),
    so that a briefing with impossible parameters is refused before it runs and its published page is kept."""
    from ..errors import ParameterError
    from ..parameters import check_parameters

    module = parameter_rules().get(briefing.notebook.name)
    if module is None:
        return
    try:
        check_parameters(values, module.RULES, in_order=getattr(module, "IN_ORDER", ()))
    except ParameterError as exc:
        raise ConfigError(f"briefing {briefing.name!r}: {exc}") from None


def _same_kind(default, value) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def input_files(parameters: dict) -> list[dict]:
    """The data files a parameter set names (string values that resolve to files), with checksums."""
    files = []
    for value in parameters.values():
        if isinstance(value, str) and value.strip():
            path = config.resolve_path(value, config.PROJECT_ROOT)
            if path.is_file():
                files.append({"path": config.portable_path(value), "sha256": checksum(path)})
    return files


def checksum(path: Path) -> str:
    """``config.sha256_of(path)``, read once per build process however many briefings name the file (the
    42 area profiles name the same four): remembered while the file's size, modification and change times
    and inode stay as they were."""
    status = path.stat()
    return _checksum(path.resolve(), status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


@lru_cache(maxsize=1024)
def _checksum(path: Path, size: int, modified_ns: int, changed_ns: int, inode: int) -> str:
    return config.sha256_of(path)


def code_fingerprint() -> str:
    """One hash of ccgtools' own source, templates and definitions (a change rebuilds everything)."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and p.suffix in
                       {".py", ".j2", ".css", ".json", ".toml"}):
        digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(briefing: Briefing, parameters: dict, inputs: list[dict], code: str) -> str:
    """What a rendering depends on: notebook bytes, parameters, input data by content, ccgtools' code."""
    document = {"notebook": checksum(briefing.notebook), "parameters": parameters, "inputs": inputs,
                "code": code, "title": briefing.title, "disclosure": briefing.disclosure}
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()
