"""Exercise engine: poses in, metrics, reps, holds and cues out. Draws nothing."""
