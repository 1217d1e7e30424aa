"""The `confarchive` command line: a thin layer over archive/, indexer/ and webapp/."""
