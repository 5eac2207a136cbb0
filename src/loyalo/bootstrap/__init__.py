"""The one place where settings, storage, services and the HTTP app are wired."""
