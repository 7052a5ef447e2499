"""`python -m provider` runs the plugin, as the console script does."""

from provider.main import main

main()
