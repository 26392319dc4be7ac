"""One module per screen; each renders the session's View and calls the session's intents."""
