/**
 * The history's SQLite schema, versioned with `PRAGMA user_version` (migration i takes the file
 * from version i to i + 1, each in its own transaction; add new ones at the end, never edit one).
 */
import type Database from 'better-sqlite3';
import { applyWalPragmas, runMigrations } from '../../lib/sqlite-setup.js';

type Db = Database.Database;

export const MIGRATIONS: ReadonlyArray<(db: Db) => void> = [
  (db) => {
    db.exec(`
      -- One row per state interval; end_ms is NULL while the state lasts.
      CREATE TABLE state_spans (
        id       INTEGER PRIMARY KEY,
        line     TEXT    NOT NULL,
        station  TEXT    NOT NULL,
        state    TEXT    NOT NULL,
        reason   TEXT,
        start_ms INTEGER NOT NULL,
        end_ms   INTEGER
      );
      CREATE INDEX state_spans_station ON state_spans(station, start_ms);

      -- Per-minute cycle roll-ups: a week of a 1 s cycle is 10,080 rows per station, not 604,800.
      CREATE TABLE cycle_minutes (
        station   TEXT    NOT NULL,
        minute_ms INTEGER NOT NULL,
        count     INTEGER NOT NULL,
        good      INTEGER NOT NULL,
        sum_ms    REAL    NOT NULL,
        min_ms    REAL    NOT NULL,
        max_ms    REAL    NOT NULL,
        PRIMARY KEY (station, minute_ms)
      ) WITHOUT ROWID;

      -- The last N raw cycles per station, for charts of the recent past at full resolution.
      CREATE TABLE cycles_raw (
        id            INTEGER PRIMARY KEY,
        station       TEXT    NOT NULL,
        ts            INTEGER NOT NULL,
        cycle_time_ms REAL    NOT NULL,
        good          INTEGER NOT NULL
      );
      CREATE INDEX cycles_raw_station ON cycles_raw(station, ts);

      CREATE TABLE downtime (
        id          TEXT PRIMARY KEY,
        line        TEXT    NOT NULL,
        station     TEXT    NOT NULL,
        start_ms    INTEGER NOT NULL,
        end_ms      INTEGER,
        duration_ms INTEGER,
        reason      TEXT    NOT NULL,
        category    TEXT    NOT NULL,
        fault_code  INTEGER,
        reason_by   TEXT,
        reason_note TEXT
      );
      CREATE INDEX downtime_start ON downtime(start_ms);

      -- The latest snapshot per window: shift windows keyed by their start, the rolling hour
      -- keyed by 0 (one row per station, overwritten), so 10 s snapshots do not pile up.
      CREATE TABLE oee (
        line         TEXT    NOT NULL,
        station      TEXT    NOT NULL,          -- '' for the line roll-up
        kind         TEXT    NOT NULL,
        window_key   INTEGER NOT NULL,
        shift        TEXT,
        window_start INTEGER NOT NULL,
        window_end   INTEGER NOT NULL,
        ts           INTEGER NOT NULL,
        final        INTEGER NOT NULL,
        figures      TEXT    NOT NULL,
        PRIMARY KEY (line, station, kind, window_key)
      ) WITHOUT ROWID;

      CREATE TABLE alerts (
        alert_id     TEXT PRIMARY KEY,
        line         TEXT    NOT NULL,
        station      TEXT    NOT NULL,
        kind         TEXT    NOT NULL,
        severity     TEXT    NOT NULL,
        status       TEXT    NOT NULL,
        first_ts     INTEGER NOT NULL,
        ts           INTEGER NOT NULL,
        evidence     TEXT    NOT NULL,
        predicted_failure_at INTEGER,
        ack_by       TEXT,
        ack_note     TEXT
      );
      CREATE INDEX alerts_ts ON alerts(ts);
    `);
  },
  // Named users: the role and the way they authenticated go with every operator action, and the
  // actions themselves form an audit trail (one row per action, keyed so a replayed event adds none).
  (db) => {
    db.exec(`
      ALTER TABLE downtime ADD COLUMN reason_role TEXT;
      ALTER TABLE downtime ADD COLUMN reason_via  TEXT;
      ALTER TABLE alerts   ADD COLUMN ack_role    TEXT;
      ALTER TABLE alerts   ADD COLUMN ack_via     TEXT;
      CREATE TABLE audit (
        key      TEXT PRIMARY KEY,              -- the event id (reasons) or alert id + ack time
        ts       INTEGER NOT NULL,
        action   TEXT    NOT NULL,              -- assign-reason | acknowledge-alert
        line     TEXT    NOT NULL,
        station  TEXT    NOT NULL,
        target   TEXT    NOT NULL,              -- downtime id or alert id
        detail   TEXT,                          -- the reason id
        user     TEXT,
        role     TEXT,
        via      TEXT,
        note     TEXT
      ) WITHOUT ROWID;
      CREATE INDEX audit_ts ON audit(ts);
    `);
  },
  (db) => {
    // Cycles without a cycle time (the first after a start or a gap): counted as parts, left out
    // of the cycle-time figures. Rows written before are all taken as timed.
    db.exec(`
      CREATE TABLE cycle_minutes_new (
        station   TEXT    NOT NULL,
        minute_ms INTEGER NOT NULL,
        count     INTEGER NOT NULL,
        good      INTEGER NOT NULL,
        timed     INTEGER NOT NULL,              -- cycles with a time: sum, min and max are theirs
        sum_ms    REAL    NOT NULL,
        min_ms    REAL,
        max_ms    REAL,
        PRIMARY KEY (station, minute_ms)
      ) WITHOUT ROWID;
      INSERT INTO cycle_minutes_new (station, minute_ms, count, good, timed, sum_ms, min_ms, max_ms)
        SELECT station, minute_ms, count, good, count, sum_ms, min_ms, max_ms FROM cycle_minutes;
      DROP TABLE cycle_minutes;
      ALTER TABLE cycle_minutes_new RENAME TO cycle_minutes;

      CREATE TABLE cycles_raw_new (
        id            INTEGER PRIMARY KEY,
        station       TEXT    NOT NULL,
        ts            INTEGER NOT NULL,
        cycle_time_ms REAL,                      -- NULL: a cycle without a time
        good          INTEGER NOT NULL
      );
      INSERT INTO cycles_raw_new (id, station, ts, cycle_time_ms, good)
        SELECT id, station, ts, cycle_time_ms, good FROM cycles_raw;
      DROP TABLE cycles_raw;
      ALTER TABLE cycles_raw_new RENAME TO cycles_raw;
      CREATE INDEX cycles_raw_station ON cycles_raw(station, ts);
    `);
  },
  (db) => {
    // Production orders: one row per order of a line, updated by each of its events (the latest
    // counts and status). Who started and stopped it is in the audit trail.
    db.exec(`
      CREATE TABLE orders (
        line      TEXT    NOT NULL,
        order_id  TEXT    NOT NULL,
        product   TEXT,
        quantity  INTEGER NOT NULL,
        due_ms    INTEGER,
        good      INTEGER NOT NULL,
        reject    INTEGER NOT NULL,
        status    TEXT    NOT NULL,              -- running | stopped | completed
        start_ms  INTEGER NOT NULL,
        end_ms    INTEGER,
        ts        INTEGER NOT NULL,              -- the latest event's time
        PRIMARY KEY (line, order_id)
      ) WITHOUT ROWID;
      CREATE INDEX orders_start ON orders(start_ms);
    `);
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Per-connection pragmas. synchronous=NORMAL (unlike the spool's FULL): the history is a view
 * for people, rebuilt from the core's checkpoint for live figures; losing the last second of
 * chart data on a power cut is acceptable, an fsync per batch on an SD card is not needed.
 */
export function applyPragmas(db: Db): void {
  applyWalPragmas(db, { synchronous: 'NORMAL', journalSizeLimitBytes: 8 * 1024 * 1024 });
}

export function migrate(db: Db): number {
  return runMigrations(db, MIGRATIONS, 'history schema');
}
