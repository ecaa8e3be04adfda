"""The portal for the person and their family: their reviews, the report, how the
recommendations are going, who to contact, asking for a review or raising a worry; and feedback
on every review from everyone who took part."""
