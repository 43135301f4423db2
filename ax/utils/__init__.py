"""Small shared helpers with no project imports of their own."""
