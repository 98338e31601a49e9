"""No side effects: the run never gets past its first step."""
