"""Brands: models and service."""
