"""The ``ccgtools`` command line: ``build`` the briefings, ``make-data`` for the bundled data."""

from __future__ import annotations

import argparse
import sys

from .errors import CcgtoolsError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ccgtools", description="Briefings for NHS commissioners.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="execute and publish every briefing in the build config")
    build.add_argument("--config", help="build config file (default: briefings.toml in the project)")
    build.add_argument("--reports", help="output folder (default: reports/ in the project)")
    build.add_argument("--only", action="append", metavar="NAME", help="render only this briefing (repeatable)")
    build.add_argument("--jobs", "-j", type=int, metavar="N", help="briefings executed at once (default: cores)")
    build.add_argument("--force", action="store_true", help="rebuild briefings even if nothing changed")
    build.add_argument("--list", action="store_true", help="print the plan (build, reuse, skip) and stop")
    build.add_argument("--dask-scheduler", metavar="ADDRESS", help="run the briefings on a Dask cluster")
    data = commands.add_parser("make-data", help="regenerate the bundled synthetic data with its seeds")
    data.add_argument("--seed", type=int, help="seed for the survey generator (others use their defaults)")
    data.add_argument("--england", metavar="DIR", help="also write an England-sized practice set (6,500) into DIR")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 a briefing failed, 2 bad config)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            from .build import build, describe_plan

            if args.list:
                print("\n".join(describe_plan(args.config, args.reports, only=args.only, force=args.force)))
                return 0
            outcomes = build(args.config, args.reports, only=args.only, jobs=args.jobs, force=args.force,
                             dask_scheduler=args.dask_scheduler)
            return 1 if any(o.status == "failed" for o in outcomes) else 0
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
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
