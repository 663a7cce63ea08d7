"""The NLP: encoders, alignment, stance, framing. Imports nothing from `service`."""
