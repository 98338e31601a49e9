"""No side effects: the only step is a human gate."""
