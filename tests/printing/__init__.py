"""Tests of printing/ and kiosk.printers."""
