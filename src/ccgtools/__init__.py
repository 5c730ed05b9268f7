"""ccgtools: parameterised policy-analysis briefings for NHS commissioners.

The package holds every piece of logic; the notebooks in ``notebooks/`` only
set parameters, call these functions and say what the results mean.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ccgtools")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = ["__version__"]
