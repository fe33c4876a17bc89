"""Readers for what offices really send: number locale, legacy font encodings, non-record rows, header paths, .xls."""
