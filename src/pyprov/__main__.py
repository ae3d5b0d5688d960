"""``python -m pyprov``."""

from pyprov._cli import main

if __name__ == "__main__":
    main()
