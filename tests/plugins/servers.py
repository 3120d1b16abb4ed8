"""Fixtures for the real test servers (filled in by the test-servers work)."""
