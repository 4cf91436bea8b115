"""Assessment cycles: units, people and roles, responsibility letters, self-evaluation, verification, results."""
