"""The figure model: what a figure shows and how it is styled, before any layout."""
