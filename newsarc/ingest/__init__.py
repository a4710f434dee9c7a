"""Readers that turn files of each source kind into article fields."""
