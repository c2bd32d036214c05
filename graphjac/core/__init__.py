"""The core: the graph, its forward and backward passes, the ops, the gradient check and training."""
