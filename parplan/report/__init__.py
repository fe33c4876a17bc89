"""Helpers the report notebooks call: formatting, HTML building blocks, charts, report sections."""
