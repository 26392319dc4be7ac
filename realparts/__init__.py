"""The parts a kiosk is tested, measured and shown with, started or faked on purpose.

Shared by tests/, bench/ and the scripted demo; never imported by the product packages
(card_reader/, kiosk/, printing/), which run on the real thing.

- `realparts.pcscd`: a private pcscd with vsmartcard's vpcd reader, and `VpcdReader`, which
  serves simulated cards to it (two slots in turn).
- `realparts.postgres`: a throwaway PostgreSQL 15 cluster on a unix socket.
- `realparts.cups`: a throwaway cupsd with a file queue and two queues that fail.
- `realparts.printer`: `FaultyPrinter`, a printer that always has the same problem.
- `realparts.clock`: `FakeClock`, monotonic and wall time that move only when told.

Each module is imported on its own; this package imports none of them.
"""
