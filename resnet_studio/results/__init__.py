"""What long work returns: plain, torch-free result types that the engine fills and the app and the command line
read (numbers, strings, numpy arrays and core values; never a torch tensor or a Qt object)."""
