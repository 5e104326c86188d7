"""Use cases: each module one action a user can name, done over the repositories in ``store``
and the rules of the domain, usually in one transaction. Web, CLI and outbound call these."""
