"""parplan: track Quảng Nam's yearly PAR INDEX / SIPAS improvement plans (plans/<year>/) from validated agency data."""

__version__ = "0.1.0"
