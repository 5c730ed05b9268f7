"""The ``ccgtools`` command line: ``build`` the briefings, ``make-data`` for the bundled data."""

from __future__ import annotations

import argparse
import shlex
import sys

from .build.run import EXIT_BUSY, EXIT_CONFIG, exit_status
from .errors import CcgtoolsError


def seconds(text: str, *, allow_zero: bool = True) -> float:
    """A number of seconds from the command line; argparse reports anything else as a usage error.

    Raises
    ------
    argparse.ArgumentTypeError
        Not a number, negative, or zero where ``allow_zero`` is False.
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, found {text!r}") from None
    if not value >= 0 or (value == 0 and not allow_zero) or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a {'non-negative' if allow_zero else 'positive'} number of "
                                         f"seconds, found {text!r}")
    return value


def positive_seconds(text: str) -> float:
    """A number of seconds above zero (a time limit)."""
    return seconds(text, allow_zero=False)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ccgtools", description="Briefings for NHS commissioners.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="execute and publish every briefing in the build config")
    build.add_argument("--config", help="build config file (default: briefings.toml in the project)")
    build.add_argument("--reports", help="output folder (default: reports/ in the project)")
    build.add_argument("--only", action="extend", nargs="+", metavar="NAME",
                       help="render only these briefings: names or glob patterns such as 'practice_variation_*'")
    build.add_argument("--jobs", "-j", type=int, metavar="N", help="briefings executed at once (default: cores)")
    build.add_argument("--force", action="store_true", help="rebuild briefings even if nothing changed")
    build.add_argument("--list", action="store_true", help="print the plan (build, reuse, skip) and stop")
    build.add_argument("--dask-scheduler", metavar="ADDRESS", help="run the briefings on a Dask cluster")
    build.add_argument("--timeout", type=positive_seconds, metavar="SECONDS",
                       help="time limit of each briefing that sets none in the config (default: [build] timeout, "
                            "else 600)")
    build.add_argument("--wait", type=seconds, default=0.0, metavar="SECONDS",
                       help="wait up to this long for another build of the same reports folder (default: 0, "
                            "exit at once with status 3)")
    check = commands.add_parser("check", help="recognise an input file's layout, validate it and print the "
                                               "notebook parameters to use it")
    check.add_argument("file", nargs="?", help="the file to check (a relative path is taken from this folder)")
    check.add_argument("--as", dest="kind", metavar="KIND", help="check it as this layout instead of recognising it")
    check.add_argument("--list", action="store_true", help="list the layouts ccgtools reads, and stop")
    fetch = commands.add_parser("fetch", help="download real published data into data/real/, recording its source "
                                               "and licence, and check it")
    fetch.add_argument("source", choices=("fingertips", "iucadc", "gp-registrations", "ods"),
                       help="the publisher's product")
    fetch.add_argument("--indicator", type=int, metavar="ID", help="fingertips: the indicator id, e.g. 91547")
    fetch.add_argument("--area-type", default="gp", metavar="TYPE",
                       help="fingertips: gp (default), pcn, sub-icb, icb, region or england")
    fetch.add_argument("--url", help="the file's address (required for iucadc, gp-registrations and ods: it changes "
                                     "with each publication)")
    fetch.add_argument("--out", metavar="DIR", help="folder to save into (default: data/real/ in the project)")
    fetch.add_argument("--base-url", default=None, metavar="URL",
                       help="fingertips: the API's address (default https://fingertips.phe.org.uk)")
    draft = commands.add_parser("survey-codebook", help="draft a survey codebook (TOML) from a .sav file's variable "
                                "and value labels, or a CSV or Excel file's distinct values")
    draft.add_argument("file", help="the survey file (.sav, .csv or .xlsx)")
    draft.add_argument("--out", metavar="FILE", help="where to write the draft (default: print it)")
    data = commands.add_parser("make-data", help="regenerate the bundled synthetic data with its seeds")
    data.add_argument("--seed", type=int, help="seed for the survey generator (others use their defaults)")
    data.add_argument("--england", metavar="DIR", help="also write an England-sized practice-variation set (6,500) "
                      "into DIR (the area profiles' England-sized set is always written into data/)")
    return parser


#: Exit statuses of ``ccgtools check``.
CHECK_OK, CHECK_PROBLEM, CHECK_UNRECOGNISED = 0, 1, 2


def layouts() -> tuple:
    """Every input layout ccgtools reads, assembled from the briefing packages that declare them.

    Assembled here (the top layer) because the shared base (:mod:`ccgtools.layouts`) may not import
    a briefing package; each briefing's ``layouts`` module declares its own.
    """
    from .areas.layouts import LAYOUTS as AREAS
    from .assurance.layouts import LAYOUTS as ASSURANCE
    from .nhs111.layouts import LAYOUTS as NHS111
    from .practices.layouts import LAYOUTS as PRACTICES
    from .survey.layouts import LAYOUTS as SURVEY

    return (*SURVEY, *NHS111, *PRACTICES, *ASSURANCE, *AREAS)


def check_command(file: str | None, *, kind: str | None = None, list_only: bool = False,
                  out=None) -> int:
    """``ccgtools check``: recognise, validate and describe one input file; returns the exit status.

    Method: read the header (:func:`ccgtools.layouts.read_header`), find the layout
    (:func:`ccgtools.layouts.recognise`, or ``kind``), run that layout's own loader through its
    ``check`` function and print what it found, or the first problem by file, row and column
    (status 1), or the nearest layout and the columns that differ (status 2).
    """
    from pathlib import Path

    from . import layouts as shared
    from .errors import DataError

    out = out or sys.stdout
    known = layouts()
    if list_only or not file:
        if not file and not list_only:
            print("ccgtools check: give a FILE to check (or --list for the layouts)", file=sys.stderr)
        width = max(len(layout.kind) for layout in known)
        for layout in known:
            print(f"{layout.kind:<{width}}  {layout.title}", file=out)
        return CHECK_OK if list_only else CHECK_UNRECOGNISED
    path = Path(file).expanduser().absolute()
    header = shared.read_header(path)
    if kind:
        layout = shared.by_kind(kind, known)
        comparison = shared.compare(layout, header)
        if not comparison.complete:
            print(f"ccgtools check: {shared.describe_mismatch(path, comparison)}", file=sys.stderr)
            return CHECK_UNRECOGNISED
    else:
        match, nearest = shared.recognise(header, known)
        if match is None:
            print(f"ccgtools check: {shared.describe_mismatch(path, nearest)}", file=sys.stderr)
            return CHECK_UNRECOGNISED
        layout = match.layout
    print(f"{config_shown(path)}: {layout.title} (layout {layout.kind})", file=out)
    try:
        found = layout.check(path, shared.notebook_path(path))
    except DataError as exc:
        if exc.path is not None and Path(exc.path) != path:  # a problem in another file (e.g. a lookup)
            print(f"  problem in {exc.shown_path}:", file=out)
        print("  problem (the first found; correct it and check again):", file=out)
        where = ", ".join(part for part in (f"row {exc.row}" if exc.row else "",
                                            f"column '{exc.column}'" if exc.column else "") if part)
        print(f"    {where + ': ' if where else ''}{exc.problem}"
              + (f"; found {exc.value!r}" if exc.value is not None else "")
              + (f"; expected {exc.expected}" if exc.expected else ""), file=out)
        return CHECK_PROBLEM
    print(f"  rows: {found.rows:,}", file=out)
    print(f"  units: {found.units}", file=out)
    if found.periods:
        print(f"  periods: {found.periods}", file=out)
    for note in found.notes:
        print(f"  note: {note}", file=out)
    print("  problems: none", file=out)
    if found.parameters:
        print(f"Notebook parameters ({found.notebook}):", file=out)
        for name, value in found.parameters.items():
            print(f"  {shared.parameter_line(name, value)}", file=out)
    return CHECK_OK


def config_shown(path) -> str:
    """A path as error messages show it (:func:`ccgtools.config.shown_path`)."""
    from .config import shown_path

    return shown_path(path)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    ``check``: 0 the file is a supported layout with no problem; 1 it has a problem (printed by row and
    column); 2 it is no supported layout (the nearest is named), or it cannot be read.

    ``build``: 0 every briefing built, reused or skipped; 1 a briefing failed (its notebook raised,
    timed out, or its kernel died; the others were still built); 2 an unusable config
    or command line; 3 another build holds the reports folder's lock.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            from .build import build, describe_plan
            from .build.lock import BuildBusy

            if args.list:
                print("\n".join(describe_plan(args.config, args.reports, only=args.only, force=args.force)))
                return 0
            try:
                outcomes = build(args.config, args.reports, only=args.only, jobs=args.jobs, force=args.force,
                                 dask_scheduler=args.dask_scheduler, timeout=args.timeout, wait=args.wait,
                                 command=shlex.join(["ccgtools", *argv]))
            except BuildBusy as exc:
                print(f"ccgtools: {exc}", file=sys.stderr)
                return EXIT_BUSY
            return exit_status(outcomes)
        if args.command == "check":
            try:
                return check_command(args.file, kind=args.kind, list_only=args.list)
            except CcgtoolsError:
                raise
            except Exception as exc:  # never a bare traceback: one line, and how to get the rest
                print(f"ccgtools check: unexpected error while checking {args.file}: {type(exc).__name__}: {exc} "
                      "(a ccgtools bug: please report it with the file's header; run `python -X dev -m "
                      "ccgtools.cli check FILE` for the traceback)", file=sys.stderr)
                if sys.flags.dev_mode:
                    raise
                return CHECK_UNRECOGNISED
        if args.command == "fetch":
            from .fetch import FINGERTIPS_BASE, fetch

            saved = fetch(args.source, url=args.url, indicator=args.indicator, area_type=args.area_type, out=args.out,
                          base_url=args.base_url or FINGERTIPS_BASE)
            print(f"Saved {saved} (source and licence in {saved.parent / 'sources.json'})")
            return check_command(str(saved))
        if args.command == "survey-codebook":
            from .survey.readers import draft_codebook

            text = draft_codebook(args.file)
            if args.out:
                from pathlib import Path

                Path(args.out).write_text(text, encoding="utf-8")
                print(f"Wrote {args.out}: check every line marked '# check' before use")
            else:
                print(text)
            return 0
        if args.command == "make-data":
            from . import config
            from .nhs111.synthetic import write_synthetic_nhs111
            from .practices.synthetic import write_synthetic_practices
            from .survey.synthetic import write_synthetic_survey
            from .survey.synthetic_stakeholders import write_synthetic_stakeholder_survey

            written = [write_synthetic_survey(seed=args.seed if args.seed is not None else config.SURVEY_SEED),
                       write_synthetic_stakeholder_survey(),
                       *write_synthetic_nhs111(seed=config.NHS111_SEED), *write_synthetic_practices().values()]
            from .areas.synthetic import write_synthetic_areas

            written += write_synthetic_areas().values()
            if args.england:
                written += write_synthetic_practices(args.england, n_practices=6_500, england=True).values()
            for path in written:
                print(f"Wrote {path}")
            return 0
    except CcgtoolsError as exc:
        print(f"ccgtools: error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
