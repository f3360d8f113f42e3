"""Sinks: the overlay, the annotated video, the report JSON, the metrics CSV and the summary."""
