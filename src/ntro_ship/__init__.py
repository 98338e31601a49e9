"""ntro-ship: ship Ntropii runbooks with verdicts a CI system can trust."""

__version__ = "0.1.0"
