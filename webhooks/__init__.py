"""Signed webhooks: a practice's subscriptions, the events sent to them and their deliveries."""
