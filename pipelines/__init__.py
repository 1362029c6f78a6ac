"""Nashipai pipelines."""
