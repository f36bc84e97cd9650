"""Number formats Django lacks for our languages (FORMAT_MODULE_PATH)."""
