"""Indicators: the values that identify an infringer, and how they are normalised."""
