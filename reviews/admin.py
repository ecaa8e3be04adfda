"""Reviews: admin registrations."""
