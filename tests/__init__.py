"""Tests. The provider package is imported first, so that `tf`, wherever a test imports it, builds
plugin protocol 6.11 messages (provider.plugin.protocol)."""

import provider  # noqa: F401
