"""The fixed words of docs/benchmarks.md: per section, what is measured (before its table)
and what it means (after it). No figure of a run is written here: every number of the
document comes from the run's JSON (bench/report.py), so the text cannot drift from them.
Figures quoted here are history, each with the state it belonged to."""

from __future__ import annotations

INTRO = """\
Every figure here comes from one run of `kiosk bench --json`; this document is generated
from it (`kiosk bench --json > bench.json; kiosk bench --report bench.json --out
docs/benchmarks.md`), so edit bench/report_prose.py, not this file. `kiosk bench --json
--only SECTION` reproduces one section; `--quick` is the small scale the tests use.

This machine is shared and noisy (the same section a week apart differs by 1.3-2.6x), so a
figure is judged beside its **floor**: what the machine and the libraries allow for the
same work, measured in the same run, right beside it (interleaved where it can be). The
**ratio** is figure / floor at the same statistic; the goal is the issue's, and "met" says
whether this run met it. Each section runs in a fresh process of its own, so none sees
another's pcscd, Qt state or store. A count (errors, leaks, round trips) has no floor: its
goal is the floor.
"""

BEFORE: dict[str, str] = {
    "startup": """\
Fresh processes, offscreen Qt, each figure interleaved with its floor: `kiosk --help` (a
cold CLI) beside `python -c pass`, and `kiosk run --smoke` (process start to the painted
start screen) beside a bare PySide6 window with a CJK label.""",
    "card_read": """\
A private pcscd with the vpcd reader, the `zhang-wei` profile (a 2.00 card, no 61xx)
served by `card_reader/vpcd.py`; identity reads on one connection, each followed by its
floor: the same APDUs sent straight to the same connection (no parsing, no deadline).

Why 12 APDUs: SELECT the application (its FCI is not fetched: 61xx already means success),
SELECT EF05, seven records (card identification code, which carries the region, card type,
version, issuer, issue date, expiry, card number), SELECT EF06, citizen ID, name. Sex and
birth date are encoded in the citizen ID (GB 11643), so their records are not read. A name
that fills its 30-byte record on a 2.00/3.00 card costs one more READ RECORD (4E); a T=0
card adds one GET RESPONSE per record, a 6Cxx answer one resend. The session reads only
SELECT and the tries probe before the PIN pad (see session).""",
    "store": """\
1,000,000 generated people (--quick: 20,000), seeded once into `/var/tmp/kiosk-bench`
(override with `KIOSK_BENCH_CACHE`) and reused (a reused cache is first upgraded to the
newest schema). 2,000 random active card holders (--quick: 400) go through a session's
screens in order (`card_status`, the overview, the first history page, the annual
statement), once to warm the caches and once measured. After each screen its **floor**
runs for the same person: one hand-written query on the driver that returns the same data
(`bench/store_floors.py`: the card by its number, the overview with the year's rows its
flags come from, the look-back's rows with the page's total and the filings, the year's sums
by kind with the opening balance), with no ceiling, no audit row, no commit and no Python
objects made. On SQLite the ledger is `WITHOUT ROWID` keyed by (person, entry number, which
grows with time). PostgreSQL runs with `fsync` on and the whole store held in
`shared_buffers` (8 GB, read in with `pg_prewarm` first: this machine's page cache does not
keep 7 GB, and a read from its disk costs a random person's first screen ~6 ms), over its
unix socket; the kiosk side is `AccountService` logged in as kiosk roles of 50 people each
(under the default ceiling of 60 an hour), through the `kiosk_api` functions; beside it,
the same service as the admin reading the tables, as every kiosk did before issue 16.""",
    "fleet": """\
A city's kiosks against one PostgreSQL on this machine: the store section's cached
PostgreSQL 15 (fsync on, the store held in shared_buffers), PgBouncer in transaction mode
before it (`realparts/pgbouncer.py`), and kiosk roles `fleet_kiosk_0001`... logging in over
TCP with SCRAM. Each kiosk is one client connection, held by two load processes (asyncio +
psycopg, `bench/fleet_kiosks.py`: a thousand Python processes would not fit here). A
session is what a person does at the kiosk: `card_status`, the overview, the first history
page, contributions, the receipt's data and the print's audit row, six kiosk_api calls
0.25 s apart on average (a person's pauses, compressed so that thousands of sessions fit in
minutes). Sessions arrive at random (Poisson) at each offered rate for a fixed time, each at
a kiosk nobody is using (with none free the person is turned away). Before the steps every
kiosk runs one session (its functions compiled once in a backend, as in a fleet that has
been up a while), and the load processes collect their garbage once and keep the collector
off while timing. Each call's floor is its hand-written query on the same store, for the
same people, one at a time over the unix socket (`bench/fleet_floors.py`). "Meets goal"
means everyone who came was served completely, with every screen's p99 under 20 ms; the
knee is the highest rate that met it. The load processes' CPU is part of what the two
cores share.""",
    "session": """\
The whole kiosk, offscreen, as `kiosk run` wires it (`build_kiosk` and `open_kiosk` with
the worker thread, `UiThreadBridge`, `KioskWindow`, driven by `ui/rig.py`), on the pcsc
backend: a private pcscd with the vpcd reader, and `card_reader/vpcd.py` serving a
simulated 2.00 card for each of 200 (--quick: 20) random active card holders of the cached
SQLite store (card number, citizen ID, name, dates and region from the store; PIN 123456).
The PIN is typed on the PIN pad's own keys; the two vpcd slots are used in turn, so each
stays empty a second after a removal. Then some of them again with the simulator answering
every APDU after 20 ms, and after 40 ms, as a real contact card in a real reader does
(`real_reader`; there OK is pressed once the read behind the pad is done, as it is for
anyone typing six digits). Each step's floor is the card's own APDU time within it, as the
same session measured it through pcscd.""",
    "receipt": """\
The demo person 张伟's receipt with 20 entries, rendered at 80 and 58 mm, each render
followed by its floor: the same text in the same fonts on a bare ReportLab canvas
(`bench/receipt_floor.py`: no layout, no rules, no QR code). Font registration is a fresh
process importing the receipt module and registering its fonts, beside one registering
wqy-zenhei alone.""",
    "soak": """\
`kiosk bench --json --only soak --soak 10000`: complete sessions in one process,
offscreen, on the production path: the virtual reader, `ThreadWorker` + `UiThreadBridge`,
the `KioskWindow`, the demo SQLite store seeded into a temp data_dir, receipts to its
spool, the root logger writing the redacting log file as `kiosk run` does. Each session
inserts a demo card (张伟, 王喆, 李堃 and the long name in turn), types a wrong PIN first
every 7th time, opens the overview and two account screens (back to the overview after
each), prints a receipt every 10th time, ends and takes the card out. Process figures are
sampled after 420 warm-up sessions (one whole cycle of the script: every combination of
person, screen pair, wrong PIN and receipt once) and at the end, after a `gc.collect()`;
the RSS curve in the details starts at session 50, so what the first cycle adds is there
too. Then the log, every file name under data_dir, the receipt journal and the audit rows
are searched for the demo people's names, citizen IDs and card numbers.""",
    "faults": """\
A hung card call, through a real pcscd + vpcd (bench/faults.py; the same drill is the test
`tests/faults/test_hung_card.py`). The card is made mute from APDU N on, for every N of a
healthy session (SELECT, tries left, EF05 and EF06 records, VERIFY) and once after them (the
receipt step, where nothing more is sent to the card). The person types the PIN when the
pad comes, prints when the overview comes and pulls the card when asked; the next person's
card goes into the SAME reader at once (pcscd needs the slot empty for about a second).
Times run from the moment the mute APDU reached the card (a watcher polls the simulated
card every 0.5 ms); the figure is the worst position.""",
}

AFTER: dict[str, str] = {
    "startup": """\
The whole kiosk is built before that first paint (window, session, worker, reader
backend, printer); what it does not load is SQLAlchemy and ReportLab's fonts:
`DeferredAccounts` builds the store service, and `KioskParts.warm_up` registers the fonts,
on the worker thread right after the paint (before that change start-up measured 490 ms,
2026-11-24). `kiosk --help` stays fast because every subcommand module imports only the
standard library at top level; PySide6, pyscard, SQLAlchemy and ReportLab load inside the
command that needs them.""",
    "card_read": """\
Every transmit runs on a reused runner thread so that a card or driver that never answers
cannot hold the worker (`card_reader/deadline.py`): `deadline_us_per_apdu` in the JSON's
details is what that costs per APDU, a fraction of a percent of an APDU on a real contact
card (5-40 ms). The loopback figure depends on the simulator's socket: one `sendall` per
response with `TCP_NODELAY`, and `TCP_QUICKACK` re-armed after every `recv` (without them
~44 ms per APDU).""",
    "store": """\
- **One round trip per screen** on the fleet store (the statements each call sent,
  counted; before issue 16 the overview was five). The calls are autocommitted (no
  BEGIN/COMMIT) and the kiosk roles commit without waiting for the WAL flush
  (`synchronous_commit = off`, set by `kiosk db grant-kiosk-role`: a server crash may lose
  the audit rows of the last ~0.6 s of reads, never a figure).
- **What a screen does beyond its floor**: the gate (the card, the citizen ID, the opening,
  the audit row; migration 0005 serves an opened card without the ceiling's work), the JSON
  document of several row sets, its parse into rows, and the screen's objects, flags
  included. `card_status`'s floor reads one row; the function also takes the kiosk's lock,
  counts the card towards the ceiling (a DELETE and an upsert of card_seen) and writes the
  audit row, all of which the issue asks of it, so its ratio is the largest. The history
  page's function still builds a page the kiosk does not read when the look-back covers
  it; dropping that, and answering arrays instead of objects, are the next steps.
- **SQLite**: the reads go straight to the sqlite3 driver (`kiosk/store/compiled.py`); what
  is left is Python making the screen's objects and the flags, and on this machine the
  page cache, which gives back the 2.3 GB file under memory pressure (a few reads that go
  to the disk set the p99). With the kiosk's own audit row (an INSERT and a commit to the
  WAL) every screen costs between half a millisecond and a millisecond more at the p50.

Plans relied on (the JSON's details record them under `plans`): card lookup by the unique
`card_number` index, then person, account and quota by primary key; the history page is a
`SEARCH ledger_entry USING PRIMARY KEY (person_id=?)` on the `WITHOUT ROWID` ledger on
SQLite, and `Index Scan Backward using pk_ledger_entry` under a `WindowAgg` (the page and
its total in one round trip) on PostgreSQL; the annual statement is a primary-key range
scan filtered on `posted_at`.""",
    "fleet": """\
- One shared pool (migration 0008: PgBouncer logs every kiosk in as one role, each call
  proves its kiosk with its key): 8 backends for 1,000 kiosks, every call on a warm
  backend. In the run above (2026-12-04, AMD EPYC) it met the goal with room: at 1,000
  kiosks and 20 sessions a second p50 1.2-2.2 ms and worst p99 4.8 ms, against 2.0-5.0 ms
  and 13.4 ms for a backend per kiosk, with 63 MB of PostgreSQL's own memory against
  7.2 GB, and it kept up to 80 sessions a second. The Intel Xeon run of 2026-12-03 measured
  25.2 ms and 31.7 ms for the same two: on a machine whose two cores also run the thousand
  simulated kiosks, the tail is the machine's.
- A pool per kiosk role (as before migration 0008): a kiosk whose backend went to another
  kiosk gets a new one: a fork, a login, and PL/pgSQL compiling each function again
  (`card_status` 10-20 ms, the overview ~8 ms the first time in a backend). At 10 kiosks,
  each with its own backend all along, the limit is the kiosks themselves (a session takes
  ~1.5 s, so they turn people away). Past the knee the fresh backends take the whole CPU
  and the calls queue for seconds.
- A backend per kiosk keeps every backend warm; its price is PostgreSQL's own memory for
  1,000 backends beside shared_buffers (the phase's `postgres_anon_mb_after`), which is
  what PgBouncer was meant to spare.""",
    "session": """\
Before issue 13 the PIN pad waited for 12 APDUs (the whole identity and the tries probe):
about 490 ms at 40 ms per APDU. Now it waits for SELECT and the tries probe (2 APDUs); the
other 11 are read on the worker while the person types, together with the store's word on
the card (a lost or replaced card replaces the pad as soon as that is known). The person
then waits only for VERIFY and the summary after OK, because six digits take longer to type
than the read behind the pad (11 x 40 ms). The fastest balance for someone who could type
instantly is still the whole read.

Card in to PIN pad on loopback is dominated by pcscd noticing the card (it polls vpcd every
400 ms: `insert_to_card_event_ms` in the details); a CCID reader reports a card through its
interrupt endpoint instead. The bench stands in for `app.exec()`: the rig waits in the Qt
event loop (a worker result wakes it at once) and delivers deferred deletes between steps
as the main loop would.""",
    "receipt": """\
The first render after start-up (`first_render_ms` in the details) pays for what the
fonts' registration did not warm; the kiosk registers the fonts on the worker right after
the first paint, so a person never waits for them.""",
    "soak": """\
**PySide6 is pinned below 6.12 (pyproject.toml) because of what this soak found.** On
PySide6 6.12.0 every `Signal.emit` called from Python drops one reference to the
interpreter's `True` (Python 3.11, where `True` is not immortal); `UiThreadBridge.post`
emits once per worker result and reader event, about 7.5 times a session, so the kiosk
aborted (`Fatal Python error: bool_dealloc`) after about 1,100 sessions, and some runs died
earlier with a segmentation fault in a garbage collection on the worker thread. Posting
without `Signal.emit` (`QTimer.singleShot`, `postEvent`) stopped the reference loss but not
the crashes. 6.11.3 has neither; `tests/ui/test_bridge.py` posts 20,000 times in a child
process and fails (the child aborts) on 6.12.0. The section still watches for it
(`bool_refs_lost_per_session`: 7.48 on 6.12.0), and it stops itself before Python would
abort.

Found on the way: without a running `app.exec()`, Qt never deletes widgets released with
`deleteLater()`, and the screens release theirs on every render; a driver that only calls
`processEvents()` grew by 1.3 MB a session. The kiosk rig (`ui/rig.py`) delivers the
deferred deletes between steps, as the main loop does in `kiosk run`.""",
    "faults": """\
Every position should end in the card-not-responding screen, the receipt position in the
take-card screen with the slip printed, and every next card reach its overview (the
details' `goal_met` and `by_position`). The clear screen is the APDU deadline
(`card_command_seconds`, 5 s); the rest is the read of the next card and pcscd's 400 ms
polling.""",
}
