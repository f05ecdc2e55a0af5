"""The HTTP API under /api/v1: one blueprint per feature, all answering JSON."""
from flask import Blueprint

from . import appointments, auth, centers, tickets, windows, events, devices, openapi

BLUEPRINTS = (auth.bp, centers.bp, tickets.bp, appointments.bp, windows.bp, events.bp, devices.bp, openapi.bp)
PREFIX = "/api/v1"


def register(app):
    for bp in BLUEPRINTS:
        app.register_blueprint(bp, url_prefix=PREFIX)


__all__ = ["register", "Blueprint"]
