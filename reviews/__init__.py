"""Reviews: the person and their Dynamic Support Register rating, the review and its lifecycle,
scheduling rules, consent, participants and invitations, agenda, report and family portal."""
