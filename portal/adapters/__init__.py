"""What the domain hands to the world outside the database: files and HTTP fetches.

Each adapter is small and is given to (or driven around) the domain by a caller at the
edge, so the domain itself never opens a socket or a file.
"""
