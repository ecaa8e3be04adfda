"""SMART recommendations, their updates, reminders and escalations."""
