"""``python -m graphjac``: the command line."""

from graphjac_cli.program import run

if __name__ == "__main__":
    run()
