import type { ErrorCode } from '../../lib/errors.js';

/** What the dashboard, /metrics and the logs show about the InfluxDB writer. */
export interface InfluxWriterHealth {
  /** InfluxDB URL without credentials. */
  readonly url: string;
  /** `v1` (/write) or `v2` (/api/v2/write). */
  readonly api: 'v1' | 'v2';
  /** The v1 API's database and retention policy (with a v2 API they are not used). */
  readonly database: string;
  readonly retentionPolicy: string;
  /** The v2 API's bucket and organization. */
  readonly bucket?: string;
  readonly org?: string;
  /** How the writer authenticates (`token`: an API token; its value is never shown). */
  readonly auth: 'token' | 'basic' | 'none';
  /** The last request to InfluxDB succeeded. */
  readonly connected: boolean;
  /** Database/retention policy checked (or created) since start. */
  readonly ready: boolean;
  /** Points InfluxDB accepted since start (a replayed point counts again). */
  readonly sent: number;
  /** Batches written since start. */
  readonly batches: number;
  /** Average points per second over the last ~10 s. */
  readonly pointsPerSecond: number;
  /** Failed requests since start (each retry counts). */
  readonly errors: number;
  /** Consecutive failed attempts of the current batch (0 when writing fine). */
  readonly retrying: number;
  /** Ms until the next attempt, while backing off. */
  readonly nextRetryInMs?: number;
  /** "INFLUX_WRITE HTTP 401: authorization failed ...", kept until the next success. */
  readonly lastError?: string;
  readonly lastErrorCode?: ErrorCode;
  readonly lastErrorAt?: number;
  /** Points InfluxDB refused for good (HTTP 400, 422 on 2.x: field type conflict, unparsable, beyond retention). */
  readonly poisoned: number;
  readonly lastPoison?: { readonly point: string; readonly error: string; readonly at: number };
  /** Spool rows that produced no point (a timestamp before 2000, a NaN value). */
  readonly skipped: number;
  /** Spool cursor of the "influx" destination. */
  readonly ackedId: number;
  /** Spool rows not yet written (samples included when the spool holds them). */
  readonly backlog: number;
  readonly oldestUnsentAgeMs: number;
  /** Wall ms of the last successful write. */
  readonly lastWriteAt?: number;
  /** Setup warnings (no admin rights, policy duration differs, ...). */
  readonly warnings: readonly string[];
}
