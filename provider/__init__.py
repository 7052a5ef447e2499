"""Terraform provider for Okta application provisioning connections (plugin protocol 6).

Before any of its modules imports `tf`, plugin protocol 6.11 takes the place of the protocol
6.5 that `tf` ships (see provider.plugin.protocol); installing that costs no import.
"""

from provider.plugin.protocol import install

install()
