"""CounterPoint central: service points, catalogue, kiosk fleet and ratings (Django)."""
