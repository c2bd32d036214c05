"""Themes: the colours and line styles of a figure.

``print`` tells edges apart by line style and arrowhead, never by colour alone, so a figure
survives grayscale printing, photocopying and colour-blind readers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
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
        group_border="#666666", emphasis="black", good="black", bad="black"),
    "dark": Theme(
        background="#1e1f26", text="#eceff4", border="#9aa3b5",
        fills={"input": "#23395b", "param": "#4a3a22", "const": "#2e3140", "op": "#2e3140",
               "loss": "#3d2b4a", "target": "#5a2a2a"},
        forward="#d8dee9", backward="#ff9e7a", backward_style="dashed", backward_arrow="normal",
        group_border="#8a93a6", emphasis="#88c0d0", good="#a3be8c", bad="#ff7a7a"),
}
