"""Terraform plugin-protocol glue on top of the `tf` framework, closing the gaps it leaves open."""
