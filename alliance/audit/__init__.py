"""Audit: models and service."""
