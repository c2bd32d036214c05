"""Writers: each output format turned out of a laid-out figure model."""
