"""callpulse: the platform that runs a sales contact center."""
