"""Documents: fields, constraints, QuerySet methods and values derived from the row itself."""
