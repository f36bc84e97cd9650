"""Browser tests: a package, so that the browser fixture is scoped to this directory."""
