from __future__ import annotations

from syndicator.cli import main

if __name__ == "__main__":
    main()
