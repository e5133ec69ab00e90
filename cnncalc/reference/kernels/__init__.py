"""The reference kernels, one module per family; they behave like PyTorch's in shape and value."""
