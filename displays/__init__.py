"""The hall's main screen, window screens and voice announcements (built in the real-time issue)."""
