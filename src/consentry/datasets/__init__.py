"""Dataset snapshots: exactly the tracks eligible for one purpose at one instant, with a
signed manifest of what each was used under."""
