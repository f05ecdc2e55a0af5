"""The touch kiosk: its pages and the ticket printer (built in the kiosk issue)."""
