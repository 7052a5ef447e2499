"""Data source types of the provider, one module each."""
