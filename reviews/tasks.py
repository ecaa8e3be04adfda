"""Reviews: Celery tasks. They take ids, reload, and call one service."""
