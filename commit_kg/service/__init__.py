"""The HTTP service: an app factory and one router per surface."""
