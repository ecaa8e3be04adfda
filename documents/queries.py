"""Documents: reads that cross relations or depend on the user; each takes the user."""
