"""The kiosk speaks (issue 18): each screen's words for the ear, and a voice that never
blocks the UI. No Qt here; the UI calls `spoken_text(view)` when a screen appears and hands
the words to a `Speaker` (kiosk.speech.engine).

- kiosk.speech.spoken: what a screen says (`spoken_text`, `spoken_row`, `spoken_busy`)
- kiosk.speech.reading: money, dates, times and codes as people say them
- kiosk.speech.words: the `speech` catalogue (kiosk/words/locale/*/LC_MESSAGES/speech.po)
- kiosk.speech.engine: `Speaker`, `NullSpeaker`, `speaker_for(config.speech)`
- kiosk.speech.render: WAV files (`render_wav`, `write_speech`), the key tone
"""
