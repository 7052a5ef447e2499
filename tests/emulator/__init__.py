"""Tests of the Okta emulator (`okta_emulator`), over real HTTP on loopback."""
