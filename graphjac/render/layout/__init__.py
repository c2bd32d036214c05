"""Layout with Graphviz: DOT text, running dot, reading its geometry back, collisions."""
