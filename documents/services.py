"""Documents: every write, as keyword-only `<noun>_<verb>` functions that own the transaction,
the audit entry and the on-commit task."""
