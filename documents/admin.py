"""Documents: admin registrations."""
