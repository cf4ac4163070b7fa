"""Retention: how long indicators live (expiry per kind), and when personal data is purged."""
