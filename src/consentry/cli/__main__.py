"""``python -m consentry.cli``: the ``consentry`` command without its console script."""

from consentry.cli import main

main()
