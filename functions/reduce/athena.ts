/**
 * The report as Athena reads it: functions and coverage as gzip NDJSON, one file per table and run
 * (layout and table definitions in shared/athena.ts). Rows stream through gzip into the store as they
 * come, so a 400,000-function run never holds its rows in memory.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip, gunzipSync } from 'node:zlib';
import { type AthenaRun, athenaObjectKey } from '../../shared/athena.ts';
import { type CoverageEntry, type FunctionRecord, formatIssues } from '../../shared/contracts.ts';
import { RunDataError } from '../../shared/errors.ts';
import { type ObjectStore, ObjectStoreError } from '../shared/object-store.ts';
import { athenaLine, athenaRowStart } from './athena-rows.ts';
import { StoredCoverage } from './read-inventory.ts';
import { REPORT_GZIP } from './write-report.ts';

/** Lines are gathered into chunks of about this size before gzip sees them: one write per line is slow. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Writes rows as gzip NDJSON into a streamed object, waiting for the store whenever gzip's buffer is
 * full. The object exists only once `end` resolves; `abort` leaves nothing behind.
 */
export class GzipNdjsonWriter {
  private readonly gzip: Gzip;
  private readonly piped: Promise<void>;
  private failure: unknown;
  private pending = '';
  rowCount = 0;

  constructor(
    private readonly sink: { stream: Writable; done: Promise<void> },
    readonly key: string,
  ) {
    this.gzip = createGzip(REPORT_GZIP);
    this.piped = Promise.all([pipeline(this.gzip, sink.stream), sink.done]).then(() => undefined);
    this.piped.catch((error: unknown) => {
      this.failure = error;
    });
  }

  /** One NDJSON line (athenaLine), newline included. */
  async write(line: string): Promise<void> {
    this.pending += line;
    this.rowCount += 1;
    if (this.pending.length >= CHUNK_CHARS) await this.flush();
  }

  /** `rowCount` rows already rendered as NDJSON lines (athenaLine), UTF-8: the same file as writing them one by one. */
  async writeLines(lines: Uint8Array, rowCount: number): Promise<void> {
    await this.flush();
    this.rowCount += rowCount;
    if (lines.byteLength === 0) return;
    await this.send(lines);
  }

  async end(): Promise<void> {
    await this.flush();
    this.gzip.end();
    try {
      await this.piped;
    } catch (error) {
      throw this.writeError(error);
    }
  }

  async abort(reason: Error): Promise<void> {
    this.gzip.on('error', () => undefined);
    this.sink.stream.on('error', () => undefined);
    this.gzip.destroy(reason);
    this.sink.stream.destroy(reason);
    await this.piped.catch(() => undefined);
  }

  private async flush(): Promise<void> {
    if (this.failure !== undefined) throw this.writeError(this.failure);
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    await this.send(chunk);
  }

  private async send(chunk: string | Uint8Array): Promise<void> {
    if (this.failure !== undefined) throw this.writeError(this.failure);
    if (this.gzip.write(chunk)) return;
    try {
      await Promise.race([once(this.gzip, 'drain'), this.piped]);
    } catch (error) {
      throw this.writeError(error);
    }
    if (this.failure !== undefined) throw this.writeError(this.failure);
  }

  private writeError(error: unknown): ObjectStoreError {
    if (error instanceof ObjectStoreError) return error;
    return new ObjectStoreError(`writing ${this.key} failed: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
}

const GZIP_TYPE = 'application/gzip';

/**
 * A run's two Athena files. Functions stream in as reduce reads them; coverage, known only at the end,
 * is written by `finish`. Both uploads start at once, so `abort` must follow any failure before
 * `finish`.
 */
export class AthenaExport {
  private readonly functions: GzipNdjsonWriter;
  private readonly rowStart: string;

  constructor(
    private readonly store: ObjectStore,
    private readonly run: AthenaRun,
  ) {
    this.rowStart = athenaRowStart(run);
    const key = athenaObjectKey('functions', run);
    this.functions = new GzipNdjsonWriter(store.putStream(key, GZIP_TYPE), key);
  }

  async writeFunctions(records: Iterable<FunctionRecord>): Promise<void> {
    for (const record of records)
      await this.functions.write(athenaLine(this.rowStart, JSON.stringify(record)));
  }

  /** Function rows rendered elsewhere (a digest thread: athenaLine of each inventory row), appended as they are. */
  async writeFunctionLines(lines: Uint8Array, rowCount: number): Promise<void> {
    await this.functions.writeLines(lines, rowCount);
  }

  /** Completes the functions file, then writes the coverage file; returns both keys. */
  async finish(coverage: readonly CoverageEntry[]): Promise<{ functionsKey: string; coverageKey: string }> {
    await this.functions.end();
    const coverageKey = athenaObjectKey('coverage', this.run);
    const writer = new GzipNdjsonWriter(this.store.putStream(coverageKey, GZIP_TYPE), coverageKey);
    try {
      for (const entry of coverage) await writer.write(athenaLine(this.rowStart, JSON.stringify(entry)));
      await writer.end();
    } catch (error) {
      await writer.abort(error as Error);
      throw error;
    }
    return { functionsKey: this.functions.key, coverageKey };
  }

  async abort(reason: Error): Promise<void> {
    await this.functions.abort(reason);
  }
}

/**
 * A run's coverage from its Athena file: the entries its inventory keeps after all of its functions,
 * without reading those first. Throws when the file is missing (runs reduced before the Athena
 * export), belongs to another run or does not hold coverage entries.
 */
export async function readAthenaCoverage(store: ObjectStore, run: AthenaRun): Promise<CoverageEntry[]> {
  const key = athenaObjectKey('coverage', run);
  const entries: unknown[] = [];
  for (const line of gunzipSync(await store.get(key))
    .toString('utf8')
    .split('\n')) {
    if (line === '') continue;
    const {
      run_id: runId,
      run_started_at: _startedAt,
      ...entry
    } = JSON.parse(line) as Record<string, unknown>;
    if (runId !== run.runId) throw new RunDataError(`${key} holds a row of run ${String(runId)}`);
    entries.push(entry);
  }
  const parsed = StoredCoverage.safeParse(entries);
  if (!parsed.success) throw new RunDataError(`${key}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
