"""Session history in SQLite: one file in the user's data directory, schema versioned.

The schema version lives in ``PRAGMA user_version``; :data:`MIGRATIONS` upgrades a file one version
at a time, inside one transaction each, so an old history is carried forward rather than thrown
away. A new file walks the same path from version 0, so every migration runs on every install.

Version 1 kept one row per session with totals; version 2 (current) keeps sets, reps, holds and
fault spans, so trends can be drawn per exercise and per fault.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

from formcheck.errors import OutputError

SCHEMA_VERSION = 2
DB_NAME = "history.db"


def history_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the history lives: ``$FORMCHECK_DATA_DIR``, else the XDG data dir, else ~/.local/share.

    ``FORMCHECK_DATA_DIR`` is the directory itself (tests point it at a temporary folder);
    the XDG locations get a ``formcheck`` subfolder.
    """
    env = os.environ if env is None else env
    if env.get("FORMCHECK_DATA_DIR"):
        return Path(env["FORMCHECK_DATA_DIR"]) / DB_NAME
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", Path.home())) / ".local" / "share")
    return Path(base) / "formcheck" / DB_NAME


# -- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepRecord:
    """One counted rep; times in seconds from the session start."""

    exercise: str
    side: str
    index: int
    start_s: float
    end_s: float
    faults: tuple[str, ...] = ()


@dataclass(frozen=True)
class HoldRecord:
    """One hold at the working position; times in seconds from the session start."""

    exercise: str
    side: str
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        """Hold length in seconds."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class FaultRecord:
    """One span during which a fault was active (times None for faults migrated from v1)."""

    code: str
    start_s: float | None
    end_s: float | None


@dataclass(frozen=True)
class SetRecord:
    """One routine set: its targets and what was achieved."""

    position: int
    exercise: str
    side: str
    target_reps: int | None
    target_hold_s: float | None
    reps: int
    hold_s: float
    completed: bool
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True)
class SessionRecord:
    """A whole session as saved: ``kind`` is "live" or "routine"."""

    started_at: datetime
    kind: str
    source: str
    duration_s: float
    lang: str = "en"
    sets: tuple[SetRecord, ...] = ()
    reps: tuple[RepRecord, ...] = ()
    holds: tuple[HoldRecord, ...] = ()
    faults: tuple[FaultRecord, ...] = ()


@dataclass(frozen=True)
class SessionTotals:
    """One stored session, summed: what the history table and CSV show."""

    id: int
    started_at: datetime
    kind: str
    source: str
    duration_s: float | None
    reps_by_exercise: Mapping[str, int]
    hold_s: float
    faults: Mapping[str, int]

    @property
    def reps_total(self) -> int:
        """Reps over all exercises."""
        return sum(self.reps_by_exercise.values())

    @property
    def faults_total(self) -> int:
        """Fault occurrences over all codes."""
        return sum(self.faults.values())


# -- schema and migrations ---------------------------------------------------------------------

_V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    exercise TEXT NOT NULL,
    reps INTEGER NOT NULL,
    hold_s REAL NOT NULL
);
CREATE TABLE faults (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    code TEXT NOT NULL,
    count INTEGER NOT NULL
);
"""

_V2 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,          -- ISO 8601 with the local UTC offset
    kind TEXT NOT NULL,                -- live | routine
    source TEXT NOT NULL,
    lang TEXT,
    duration_s REAL
);
CREATE TABLE sets (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    exercise TEXT NOT NULL,
    side TEXT NOT NULL,
    target_reps INTEGER,
    target_hold_s REAL,
    reps INTEGER NOT NULL,
    hold_s REAL NOT NULL,
    completed INTEGER NOT NULL,
    start_s REAL,
    end_s REAL
);
CREATE TABLE reps (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    exercise TEXT NOT NULL,
    side TEXT NOT NULL,
    idx INTEGER NOT NULL,
    start_s REAL NOT NULL,
    end_s REAL NOT NULL,
    faults TEXT NOT NULL               -- space-separated fault codes
);
CREATE TABLE holds (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    exercise TEXT NOT NULL,
    side TEXT NOT NULL,
    start_s REAL NOT NULL,
    end_s REAL NOT NULL
);
CREATE TABLE faults (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    start_s REAL,
    end_s REAL
);
CREATE INDEX sets_session ON sets(session_id);
CREATE INDEX reps_session ON reps(session_id);
CREATE INDEX holds_session ON holds(session_id);
CREATE INDEX faults_session ON faults(session_id);
"""


def _migrate_0_to_1(db: sqlite3.Connection) -> None:
    for statement in _V1.split(";"):
        if statement.strip():
            db.execute(statement)


def _migrate_1_to_2(db: sqlite3.Connection) -> None:
    """Totals become one set per old session; fault counts become that many undated spans."""
    db.execute("ALTER TABLE sessions RENAME TO sessions_v1")
    db.execute("ALTER TABLE faults RENAME TO faults_v1")
    for statement in _V2.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("INSERT INTO sessions (id, started_at, kind, source, lang, duration_s) "
               "SELECT id, started_at, kind, source, NULL, NULL FROM sessions_v1")
    db.execute("INSERT INTO sets (session_id, position, exercise, side, target_reps, "
               "target_hold_s, reps, hold_s, completed) "
               "SELECT id, 0, exercise, 'unknown', NULL, NULL, reps, hold_s, 1 FROM sessions_v1")
    rows = db.execute("SELECT session_id, code, count FROM faults_v1").fetchall()
    db.executemany("INSERT INTO faults (session_id, code, start_s, end_s) "
                   "VALUES (?, ?, NULL, NULL)",
                   [(sid, code) for sid, code, count in rows for _ in range(max(0, count))])
    db.execute("DROP TABLE faults_v1")
    db.execute("DROP TABLE sessions_v1")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    0: _migrate_0_to_1,
    1: _migrate_1_to_2,
}


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """An explicit BEGIN..COMMIT (ROLLBACK on error), DDL included.

    The connection is opened in autocommit mode (``isolation_level=None``) because the sqlite3
    module's implicit transactions do not cover DDL, and a half-applied migration must not stick.
    """
    db.execute("BEGIN")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def schema_version(db: sqlite3.Connection) -> int:
    """The file's ``PRAGMA user_version``."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection) -> int:
    """Upgrade ``db`` to :data:`SCHEMA_VERSION`, one committed step at a time; returns it."""
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise OutputError(f"history database has schema version {version}, newer than this "
                          f"formcheck understands ({SCHEMA_VERSION}); upgrade formcheck")
    while version < SCHEMA_VERSION:
        with transaction(db):  # a failed step leaves the previous version intact
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
        version += 1
    return version


# -- the store ---------------------------------------------------------------------------------


class HistoryStore:
    """The history database; a context manager that closes the connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise OutputError(f"cannot open history database {path}: {err}") from None
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            migrate(self._db)
        except sqlite3.DatabaseError as err:
            self._db.close()
            raise OutputError(f"cannot use history database {path}: {err}") from None
        except OutputError:
            self._db.close()
            raise

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def save(self, record: SessionRecord) -> int:
        """Write one session with its sets, reps, holds and faults; returns its id."""
        with transaction(self._db):
            cur = self._db.execute(
                "INSERT INTO sessions (started_at, kind, source, lang, duration_s) "
                "VALUES (?, ?, ?, ?, ?)",
                (record.started_at.isoformat(timespec="seconds"), record.kind, record.source,
                 record.lang, record.duration_s))
            sid = int(cur.lastrowid or 0)
            self._db.executemany(
                "INSERT INTO sets (session_id, position, exercise, side, target_reps, "
                "target_hold_s, reps, hold_s, completed, start_s, end_s) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(sid, s.position, s.exercise, s.side, s.target_reps, s.target_hold_s, s.reps,
                  s.hold_s, int(s.completed), s.start_s, s.end_s) for s in record.sets])
            self._db.executemany(
                "INSERT INTO reps (session_id, exercise, side, idx, start_s, end_s, faults) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(sid, r.exercise, r.side, r.index, r.start_s, r.end_s, " ".join(r.faults))
                 for r in record.reps])
            self._db.executemany(
                "INSERT INTO holds (session_id, exercise, side, start_s, end_s) "
                "VALUES (?, ?, ?, ?, ?)",
                [(sid, h.exercise, h.side, h.start_s, h.end_s) for h in record.holds])
            self._db.executemany(
                "INSERT INTO faults (session_id, code, start_s, end_s) VALUES (?, ?, ?, ?)",
                [(sid, f.code, f.start_s, f.end_s) for f in record.faults])
        return sid

    def load(self, session_id: int) -> SessionRecord:
        """Read one session back in full."""
        row = self._db.execute("SELECT started_at, kind, source, lang, duration_s FROM sessions "
                               "WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise KeyError(session_id)
        sets = tuple(SetRecord(p, e, s, tr, th, r, h, bool(c), a, b) for p, e, s, tr, th, r, h, c,
                     a, b in self._db.execute(
                         "SELECT position, exercise, side, target_reps, target_hold_s, reps, "
                         "hold_s, completed, start_s, end_s FROM sets WHERE session_id = ? "
                         "ORDER BY position, id", (session_id,)))
        reps = tuple(RepRecord(e, s, i, a, b, tuple(f.split())) for e, s, i, a, b, f in
                     self._db.execute("SELECT exercise, side, idx, start_s, end_s, faults FROM "
                                      "reps WHERE session_id = ? ORDER BY id", (session_id,)))
        holds = tuple(HoldRecord(*r) for r in self._db.execute(
            "SELECT exercise, side, start_s, end_s FROM holds WHERE session_id = ? ORDER BY id",
            (session_id,)))
        faults = tuple(FaultRecord(*r) for r in self._db.execute(
            "SELECT code, start_s, end_s FROM faults WHERE session_id = ? ORDER BY id",
            (session_id,)))
        return SessionRecord(datetime.fromisoformat(row[0]), row[1], row[2], row[4] or 0.0,
                             row[3] or "en", sets, reps, holds, faults)

    def totals(self) -> list[SessionTotals]:
        """Every session, oldest first, with reps per exercise, hold time and fault counts.

        Reps come from the rep rows; sessions migrated from v1 have none, so their set totals
        are used instead. Hold time is the time held in a routine's hold sets (what the routine
        asked for), else the engine's holds (live sessions), else v1 set totals.
        """
        out: list[SessionTotals] = []
        sessions = self._db.execute(
            "SELECT id, started_at, kind, source, duration_s FROM sessions ORDER BY started_at, id"
        ).fetchall()
        for sid, started, kind, source, duration in sessions:
            reps = Counter(dict(self._db.execute(
                "SELECT exercise, COUNT(*) FROM reps WHERE session_id = ? GROUP BY exercise",
                (sid,)).fetchall()))
            if not reps:
                reps = Counter(dict(self._db.execute(
                    "SELECT exercise, SUM(reps) FROM sets WHERE session_id = ? GROUP BY exercise",
                    (sid,)).fetchall()))
            hold = self._db.execute("SELECT SUM(hold_s) FROM sets WHERE session_id = ? AND "
                                    "target_hold_s IS NOT NULL", (sid,)).fetchone()[0]
            if hold is None:
                hold = self._db.execute("SELECT SUM(end_s - start_s) FROM holds "
                                        "WHERE session_id = ?", (sid,)).fetchone()[0]
            if hold is None:
                hold = self._db.execute("SELECT SUM(hold_s) FROM sets WHERE session_id = ?",
                                        (sid,)).fetchone()[0]
            faults = Counter(dict(self._db.execute(
                "SELECT code, COUNT(*) FROM faults WHERE session_id = ? GROUP BY code",
                (sid,)).fetchall()))
            out.append(SessionTotals(sid, datetime.fromisoformat(started), kind, source, duration,
                                     {k: int(v) for k, v in reps.items() if v},
                                     float(hold or 0.0), dict(faults)))
        return out


def open_default_store(env: Mapping[str, str] | None = None) -> HistoryStore:
    """The store at :func:`history_path`."""
    return HistoryStore(history_path(env))


def sessions_by_day(totals: Sequence[SessionTotals]) -> dict[str, list[SessionTotals]]:
    """Sessions grouped by the calendar day they started (in their own recorded time zone)."""
    days: dict[str, list[SessionTotals]] = {}
    for t in totals:
        days.setdefault(t.started_at.date().isoformat(), []).append(t)
    return days
