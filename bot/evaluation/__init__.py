"""Measuring the matcher against labelled queries."""
