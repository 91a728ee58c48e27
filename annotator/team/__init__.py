"""Teams on one PostgreSQL server: roles, row-level security, members, assignment (see policies.py)."""
