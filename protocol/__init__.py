"""The kiosk-central sync protocol: one definition both sides import.

Imports neither ``kiosk`` nor ``central`` (checked by tests/test_boundaries.py).
"""
