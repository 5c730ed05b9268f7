"""Provider data assurance: checking a provider's performance return before it is accepted (issue 13)."""
