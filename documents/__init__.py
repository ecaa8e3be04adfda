"""Checklist templates, document packs, uploads, time-boxed panel access and the access log."""
