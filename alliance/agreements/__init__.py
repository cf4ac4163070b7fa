"""Agreements: models and service."""
