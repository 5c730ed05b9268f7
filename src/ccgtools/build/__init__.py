"""Building the site: the build config, the plan, execution with papermill, rendering with nbconvert,
publishing, and the benchmark (``python -m ccgtools.build.bench``).

The top layer below :mod:`ccgtools.cli`: it may import every briefing package and the
shared base, and nothing imports it but the CLI.
"""

from .run import build
from .plan import describe_plan

__all__ = ["build", "describe_plan"]
