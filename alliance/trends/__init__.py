"""Trend reports (members' own figures) and the aggregates released under disclosure control."""
