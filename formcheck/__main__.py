"""``python -m formcheck``: same as the ``formcheck`` command."""

from formcheck.cli import main

if __name__ == "__main__":
    main()
