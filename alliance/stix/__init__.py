"""STIX 2.1 for indicators: conversion (convert.py) and our observables (observables.py)."""

from alliance.stix.convert import bundle, indicator_sdo, record_id, record_objects, stix_id, version
from alliance.stix.observables import ALLIANCE_IDENTITY, EXTENSION_DEFINITIONS, NAMESPACE

__all__ = [
    "ALLIANCE_IDENTITY",
    "EXTENSION_DEFINITIONS",
    "NAMESPACE",
    "bundle",
    "indicator_sdo",
    "record_id",
    "record_objects",
    "stix_id",
    "version",
]
