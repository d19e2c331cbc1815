"""The strategy app's forms, one module per concept: discussions, enquiries, partners."""
