"""Settings: base.py holds everything; dev, test and prod adjust it for their place."""
