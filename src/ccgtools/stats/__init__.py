"""Public-health indicator statistics: intervals, standardisation, funnels, ranks and SPC.

Vectorised over numpy and pandas (no Python loop over units), each function
documented with its method and reference; exact formulas in ``../shared/METHODS.md``.
"""

from .funnel import (
                     Overdispersion,
                     adjusted_funnel_limits,
                     funnel_limits,
                     funnel_significance,
                     overdispersion,
                     poisson_funnel_counts,
                     wilson_funnel_limits,
)
from .intervals import (
                     byars_limits,
                     exact_poisson_limits,
                     level_label,
                     poisson_limits,
                     proportion_ci,
                     rate_ci,
                     z_value,
)
from .ranking import rank_uncertainty
from .spc import xmr
from .standardisation import (
                     ESP2013,
                     directly_standardised_rate,
                     expected_events,
                     indirectly_standardised_ratio,
)

__all__ = [
    "ESP2013", "Overdispersion", "adjusted_funnel_limits", "byars_limits", "directly_standardised_rate", "exact_poisson_limits",
    "expected_events", "funnel_limits", "funnel_significance", "indirectly_standardised_ratio",
    "level_label", "overdispersion", "poisson_funnel_counts", "poisson_limits", "proportion_ci", "rate_ci",
    "rank_uncertainty", "wilson_funnel_limits", "xmr", "z_value",
]
