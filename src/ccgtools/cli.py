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
    data = commands.add_parser("make-data", help="regenerate the bundled synthetic data with its seeds")
    data.add_argument("--seed", type=int, help="seed for the survey generator (others use their defaults)")
    data.add_argument("--england", metavar="DIR", help="also write an England-sized practice set (6,500) into DIR")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    0 every briefing built, reused or skipped; 1 a briefing failed (its notebook raised,
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
        if args.command == "make-data":
            from . import config
            from .nhs111.synthetic import write_synthetic_nhs111
            from .practices.synthetic import write_synthetic_practices
            from .survey.synthetic import write_synthetic_survey

            written = [write_synthetic_survey(seed=args.seed if args.seed is not None else config.SURVEY_SEED),
                       *write_synthetic_nhs111(seed=config.NHS111_SEED), *write_synthetic_practices().values()]
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
