"""No side effects: both steps are human gates."""
