"""Admin registrations of the training app."""
