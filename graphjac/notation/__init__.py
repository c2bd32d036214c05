"""Every formula, symbol, number and table graphjac shows, as LaTeX and as Unicode."""
