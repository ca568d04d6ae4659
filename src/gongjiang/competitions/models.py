"""Tables of this system (see DESIGN.md §2)."""
