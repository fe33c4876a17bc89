"""parplan: track Quảng Nam's 2023 PAR INDEX / SIPAS improvement plan from validated agency data."""

__version__ = "0.1.0"
