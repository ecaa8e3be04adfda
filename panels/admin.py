"""Panels: admin registrations."""
