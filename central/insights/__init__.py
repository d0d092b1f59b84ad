"""Dashboards, rankings, No Copy compliance and exports over the ratings (to be built)."""
