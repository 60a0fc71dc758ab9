"""synchronous = NORMAL vs FULL in WAL mode: milliseconds per read-then-write commit (README, durability)."""
import sqlite3, time, os, tempfile, json
res = {}
for mode in ("NORMAL", "FULL"):
    d = tempfile.mkdtemp(dir="/tmp"); p = os.path.join(d, "x.sqlite3")
    db = sqlite3.connect(p, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL"); db.execute(f"PRAGMA synchronous={mode}")
    db.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, answers TEXT, pages INTEGER)")
    db.executemany("INSERT INTO r VALUES (?, '{}', 0)", [(i,) for i in range(1000)])
    n = 2000; t = time.perf_counter()
    for i in range(n):
        db.execute("BEGIN IMMEDIATE"); db.execute("SELECT answers FROM r WHERE id=?", (i % 1000,)).fetchone()
        db.execute("UPDATE r SET answers=?, pages=pages+1 WHERE id=?", (json.dumps({"q": "a" * 50, "i": i}), i % 1000)); db.execute("COMMIT")
    res[mode] = (time.perf_counter() - t) / n * 1000
    db.close()
print({k: f"{v:.3f} ms/commit" for k, v in res.items()}, "load", os.getloadavg()[0])
