"""What the main window does, one controller per area; the window only wires them to its widgets."""
