"""Themes: every style token of a figure — colours, font sizes, line styles and widths,
arrowheads, emphasis — read by every writer (DOT, typeset SVG/PDF/PNG, TikZ, frames).

``print`` tells edges apart by line style and arrowhead, never by colour alone, so a figure
survives grayscale printing, photocopying and colour-blind readers.
"""

from __future__ import annotations

from graphjac.core.records import field, record


# Font sizes in points by label role, on screen (Graphviz, typeset SVG) and in a 10 pt
# document (TikZ sets its labels at exactly these sizes, whatever the document's own).
SCREEN_SIZES = {"node": 14, "value": 11, "edge": 11, "group": 13, "ellipsis": 18, "title": 16,
                "gate": 14, "wire_value": 11, "wire_grad": 11, "wire_gap": 5}
TEX_SIZES = {"node": 10.0, "value": 9.0, "edge": 9.0, "group": 10.0, "ellipsis": 14.4, "title": 12.0,
             "gate": 10.0, "wire_value": 9.0, "wire_grad": 9.0, "wire_gap": 4.0}
# Line widths in points: Graphviz's and typeset SVG's, then TikZ's (``tex_`` …).
WIDTHS = {"node": 1.2, "target": 2.0, "emphasis": 2.4, "current": 2.6, "legend": 1.2, "arrow": 0.8,
          "tex_node": 0.8, "tex_target": 1.4, "tex_edge": 0.7, "tex_emphasis": 1.6, "tex_group": 0.6}


@record
class Theme:
    background: str
    text: str
    border: str
    fills: dict            # node role -> fill colour
    forward: str           # edge colour
    backward: str
    backward_style: str    # dashed, dotted, …
    backward_arrow: str
    group_border: str
    emphasis: str
    good: str              # gradient check passed
    bad: str
    dash: str = "5,2"      # the backward edges' dash pattern where a writer draws it (SVG)
    wire_value: str = "#1e7b34"   # circuit style: the value above a wire (CS231n's green)
    group_style: str = "dashed"
    sizes: dict = field(default_factory=lambda: dict(SCREEN_SIZES))
    tex_sizes: dict = field(default_factory=lambda: dict(TEX_SIZES))
    widths: dict = field(default_factory=lambda: dict(WIDTHS))

    def width(self, role: str) -> str:
        """A line width as Graphviz and SVG write it (2.4, 2)."""
        return f"{self.widths[role]:g}"


THEMES = {
    "lecture": Theme(
        background="white", text="#222222", border="#555555",
        fills={"input": "#e8f1fb", "param": "#fdf1e3", "const": "#f5f5f5", "op": "#f5f5f5",
               "loss": "#f6eefa", "target": "#fbe9e9"},
        forward="#333333", backward="#c0392b", backward_style="dashed", backward_arrow="normal",
        group_border="#777777", emphasis="#1f6fb2", good="#1e7b34", bad="#c0392b"),
    "print": Theme(
        background="white", text="black", border="black",
        fills={"input": "white", "param": "#e6e6e6", "const": "white", "op": "white",
               "loss": "#f2f2f2", "target": "#d9d9d9"},
        forward="black", backward="#444444", backward_style="dashed", backward_arrow="empty",
        group_border="#666666", emphasis="black", good="black", bad="black", wire_value="black"),
    "dark": Theme(
        background="#1e1f26", text="#eceff4", border="#9aa3b5",
        fills={"input": "#23395b", "param": "#4a3a22", "const": "#2e3140", "op": "#2e3140",
               "loss": "#3d2b4a", "target": "#5a2a2a"},
        forward="#d8dee9", backward="#ff9e7a", backward_style="dashed", backward_arrow="normal",
        group_border="#8a93a6", emphasis="#88c0d0", good="#a3be8c", bad="#ff7a7a", wire_value="#a3be8c"),
}
THEMES["auto"] = THEMES["lecture"]   # drawn in the lecture's colours; its SVG follows a dark page (writers.schemes)
