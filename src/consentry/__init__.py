"""consentry: the AI-consent layer for music platforms."""

__version__ = "0.1.0"
