"""What the platform sends out or fetches: the mail outbox over SMTP, terms notices, the
terms watcher's polite fetches and its signed webhooks."""
