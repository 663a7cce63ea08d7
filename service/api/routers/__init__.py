"""One router per resource: health, stance, align, runs (compare), corpora."""
