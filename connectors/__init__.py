"""Nashipai connectors."""
