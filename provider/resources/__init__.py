"""Resource types of the provider, one module each."""
