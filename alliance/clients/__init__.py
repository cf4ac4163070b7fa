"""Clients: models and service."""
