"""Math typesetting: formulas set by TeX's rules from the OpenType MATH font, and LaTeX written out."""
