"""Member sharing policies: stored versions, the setter, re-application."""
