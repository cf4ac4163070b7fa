"""Regions: models and service."""
