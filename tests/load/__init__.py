"""The load test: the real server under concurrent clients while the index is rebuilt (see harness.py)."""
