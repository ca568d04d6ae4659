"""Review rounds: panel scoring with conflict-of-interest checks, ranking and grades."""
