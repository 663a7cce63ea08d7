"""Quality and speed: gold sets, metrics, benchmarks, results."""
