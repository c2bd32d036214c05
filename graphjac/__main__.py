"""``python -m graphjac``: the command line."""

from graphjac_cli.main import main

if __name__ == "__main__":
    main(prog_name="graphjac")
