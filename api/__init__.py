"""Nashipai api."""
