"""Bridgework: measure and strengthen the relationships public-service work runs on."""

__version__ = "0.1.0"
