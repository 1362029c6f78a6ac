"""Nashipai executor."""
