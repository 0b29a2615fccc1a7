"""Coffee programmes: randomised pairings with introductions, feedback and evaluation."""
