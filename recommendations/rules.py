"""Recommendations: django-rules predicates and add_perm calls, nothing else."""
