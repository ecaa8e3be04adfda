"""Panels: panel membership and independence, KLOE question sets, workbooks and the chair's
consolidation."""
