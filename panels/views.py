"""Panels: parse the request, check the permission, call a query or service, render."""
