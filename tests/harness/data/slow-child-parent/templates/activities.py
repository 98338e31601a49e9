"""No side effects: the work is the child's."""
