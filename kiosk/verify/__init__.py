"""The verification service of printed certificates and receipts (`kiosk verify-server`)."""
