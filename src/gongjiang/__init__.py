"""Gongjiang (工匠): the platform on which trade unions and enterprises build China's industrial workforce."""

__version__ = "0.1.0"
