"""The pairing engine for randomised coffee pairings. Pure Python; never imports Django."""
