"""Reviews: django-rules predicates and add_perm calls, nothing else."""
