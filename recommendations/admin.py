"""Recommendations: admin registrations."""
