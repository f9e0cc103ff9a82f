"""The machine's durable-commit ceiling: SQLite in WAL mode with synchronous=FULL, one 4 KiB row
per transaction, for a few seconds. The gateway's rate is reported as a ratio to this, so results
compare across machines and noisy neighbours."""
import os, sqlite3, sys, tempfile, time

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
with tempfile.TemporaryDirectory(dir=sys.argv[2] if len(sys.argv) > 2 else None) as d:
    db = sqlite3.connect(os.path.join(d, "ceiling.sqlite3"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
    row = os.urandom(4096)
    n, start = 0, time.monotonic()
    while time.monotonic() - start < seconds:
        db.execute("BEGIN")
        db.execute("INSERT INTO t (body) VALUES (?)", (row,))
        db.execute("COMMIT")
        n += 1
    print(f"{n / (time.monotonic() - start):.0f}")
