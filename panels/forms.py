"""Panels: forms and crispy layouts; no database writes."""
