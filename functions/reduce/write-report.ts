/**
 * Writes the report files. The inventory files are streamed: rows go out as each partial is read and
 * are never all in memory. `reports/latest.json` is written last, and only when this run is at least
 * as new as the one it names, so the pointer always names the newest complete report. That pointer is
 * replaced with a conditional write, so two reduces finishing together cannot leave it on the older run.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type CoverageEntry,
  formatIssues,
  LatestPointer,
  parseOrThrow,
  type ReportKeys,
  Summary,
} from '../../shared/contracts.ts';
import { keys } from '../../shared/keys.ts';
import { compareText } from '../shared/compare.ts';
import {
  ObjectNotFoundError,
  type ObjectStore,
  ObjectStoreError,
  putJson,
  putJsonIfUnchanged,
  type TaggedObject,
  type WriteCondition,
} from '../shared/object-store.ts';
import type { ByteChannel } from './byte-channel.ts';
import { coverageCsv, inventoryCsvHeader } from './csv.ts';
import type { PartialDigest, TargetRows } from './partial-digest.ts';

export const INVENTORY_SCHEMA_VERSION = 1;

const JSON_TYPE = 'application/json';
const CSV_TYPE = 'text/csv; charset=utf-8';
/**
 * Compressed files are `.gz` objects of this type, with no Content-Encoding: with `Content-Encoding:
 * gzip`, browsers, curl --compressed and some HTTP clients inflate the body on download while others
 * do not, so a reader could not know which bytes it got. Stored as plain gzip, every client receives
 * the bytes that were written, and the extension tells tools (gunzip, DuckDB, Athena) to inflate.
 */
const GZIP_TYPE = 'application/gzip';

/**
 * gzip settings of every compressed report file (inventory.json, inventory.csv, the Athena files).
 * Level 1: on 1,000,000 generated functions it compresses inventory.json 9.7x, the CSV 6.7x and the
 * Athena file 10.3x, against 10.6x, 7.2x and 11.2x at level 3 (files about 8% larger), and the reduce
 * took 15.24 s and 28.7 s of CPU against 17.51 s and 32.7 s at level 3 (bench/reduce-trees.ts, the
 * two alternated 5 times, medians). The default level 6 takes about twice level 3's CPU. Compressed
 * bytes are handed on 256 KiB at a time: zlib's default of 16 KiB costs a round trip to libuv's pool,
 * where compression runs, per 16 KiB. Compression runs there, beside reduce's own work on the main thread.
 */
export const REPORT_GZIP = { level: 1, chunkSize: 256 * 1024 } as const;

/**
 * Conditional writes of latest.json before reduce gives up. Each lost write means another reduce
 * moved the pointer meanwhile, so running out takes that many reduces finishing at once.
 */
export const LATEST_WRITE_ATTEMPTS = 5;

/** One streamed object: writes wait for the store to catch up, and a failed upload stops the writer. */
class StreamedObject {
  private failure: unknown;
  private readonly stream: Writable;
  private readonly done: Promise<void>;

  constructor(
    store: ObjectStore,
    readonly key: string,
    contentType: string,
    compress: boolean,
  ) {
    const upload = store.putStream(key, compress ? GZIP_TYPE : contentType);
    if (compress) {
      const gzip = createGzip(REPORT_GZIP);
      this.stream = gzip;
      // either side failing fails the object; destroying the gzip stream (abort) destroys the upload too
      this.done = Promise.all([pipeline(gzip, upload.stream), upload.done]).then(() => undefined);
    } else {
      this.stream = upload.stream;
      this.done = upload.done;
    }
    this.done.catch((error: unknown) => {
      this.failure = error;
    });
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    this.throwIfFailed();
    if (this.stream.write(chunk)) return;
    // backpressure: wait for the upload to take the buffered data, unless the upload has failed
    try {
      await Promise.race([once(this.stream, 'drain'), this.done]);
    } catch (error) {
      throw this.writeError(error);
    }
    this.throwIfFailed();
  }

  async end(): Promise<void> {
    this.throwIfFailed();
    this.stream.end();
    try {
      await this.done;
    } catch (error) {
      throw this.writeError(error);
    }
  }

  /** Abandons the object: nothing is stored under the key (the upload or temporary file is discarded). */
  async abort(reason: Error): Promise<void> {
    // the reason is the caller's own error, which it rethrows: here it only has to stop the upload
    this.stream.on('error', () => undefined);
    this.stream.destroy(reason);
    await this.done.catch(() => undefined);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.writeError(this.failure);
  }

  private writeError(error: unknown): ObjectStoreError {
    return new ObjectStoreError(`writing ${this.key} failed: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
}

export interface InventoryHeader {
  runId: string;
  startedAt: string;
}

export interface InventoryTail {
  finishedAt: string;
  coverage: readonly CoverageEntry[];
  summary: Summary;
}

/**
 * inventory.json and inventory.csv, written side by side from one pass over the partials: plain, or
 * gzip-compressed on the way out (`.gz` keys) when the report keys say so.
 *
 * inventory.json holds one function per line. `finishedAt` follows the functions rather than leading
 * the document: it is the last target's scan time, known only once every partial has been read.
 */
export class InventoryWriter {
  private readonly json: StreamedObject;
  private readonly csv: StreamedObject;
  private functionCount = 0;

  /**
   * Starts both uploads; `abort` must follow if anything fails before `finish`. `tap`: also given
   * inventory.json's text as it is written, uncompressed (the diff with the previous run reads it
   * there instead of reading the object back); ended by `finish`, failed by `abort`.
   */
  constructor(
    store: ObjectStore,
    reportKeys: ReportKeys,
    private readonly tap?: ByteChannel,
  ) {
    const compress = reportKeys.compression === 'gzip';
    this.json = new StreamedObject(store, reportKeys.inventoryJson, JSON_TYPE, compress);
    this.csv = new StreamedObject(store, reportKeys.inventoryCsv, CSV_TYPE, compress);
  }

  async start(header: InventoryHeader): Promise<void> {
    const head = JSON.stringify({ schemaVersion: INVENTORY_SCHEMA_VERSION, ...header });
    await this.writeJson(`${head.slice(0, -1)},"functions":[`);
    await this.csv.write(inventoryCsvHeader());
  }

  /** Appends the chosen groups of a digest (all of them, as a rule: then its bytes go out whole). */
  async writeGroups(digest: PartialDigest, groups: readonly TargetRows[]): Promise<void> {
    if (groups.length === 0) return;
    let json: Uint8Array;
    let csv: Uint8Array;
    if (groups.length === digest.groups.length) {
      ({ json, csv } = digest);
    } else {
      const chosen = new Set(groups);
      const jsonParts: Uint8Array[] = [];
      const csvParts: Uint8Array[] = [];
      let jsonStart = 0;
      let csvStart = 0;
      for (const group of digest.groups) {
        if (chosen.has(group)) {
          jsonParts.push(digest.json.subarray(jsonStart, group.jsonEnd));
          csvParts.push(digest.csv.subarray(csvStart, group.csvEnd));
        }
        jsonStart = group.jsonEnd;
        csvStart = group.csvEnd;
      }
      json = Buffer.concat(jsonParts);
      csv = Buffer.concat(csvParts);
    }
    // every row starts with ",\n": the document's first one must not
    if (this.functionCount === 0) json = json.subarray(1);
    for (const group of groups) this.functionCount += group.functionCount;
    await this.writeJson(json);
    await this.csv.write(csv);
  }

  /** Completes inventory.json, then inventory.csv: each object exists only once it is whole. */
  async finish(tail: InventoryTail): Promise<void> {
    const coverage = tail.coverage.map((entry) => JSON.stringify(entry)).join(',\n');
    await this.writeJson(
      `\n],"finishedAt":${JSON.stringify(tail.finishedAt)},"coverage":[\n${coverage}\n],` +
        `"summary":${JSON.stringify(tail.summary)}}\n`,
    );
    this.tap?.end();
    await this.json.end();
    await this.csv.end();
  }

  async abort(reason: Error): Promise<void> {
    this.tap?.fail(reason);
    await Promise.all([this.json.abort(reason), this.csv.abort(reason)]);
  }

  private async writeJson(chunk: string | Uint8Array): Promise<void> {
    await this.json.write(chunk);
    await this.tap?.push(chunk);
  }
}

export async function writeSummary(
  store: ObjectStore,
  reportKeys: ReportKeys,
  summary: Summary,
): Promise<void> {
  await putJson(store, reportKeys.summaryJson, parseOrThrow(Summary, summary, 'report summary'));
}

export async function writeCoverageCsv(
  store: ObjectStore,
  reportKeys: ReportKeys,
  coverage: readonly CoverageEntry[],
): Promise<void> {
  await store.put(reportKeys.coverageCsv, coverageCsv(coverage), CSV_TYPE);
}

/** Whether `candidate` may replace `current` as the latest report: newer start, then higher run id. */
export function supersedes(
  candidate: Pick<LatestPointer, 'startedAt' | 'runId'>,
  current: Pick<LatestPointer, 'startedAt' | 'runId'>,
): boolean {
  const started = Date.parse(candidate.startedAt) - Date.parse(current.startedAt);
  if (started !== 0) return started > 0;
  // the same run reduced again rewrites its own pointer
  return compareText(candidate.runId, current.runId) >= 0;
}

/**
 * Points `reports/latest.json` at this run unless a newer run is already there (reports of an older
 * run, reduced late or again, must not hide a newer one). Returns whether the pointer was written.
 *
 * Read, compare, then write only if the pointer is still the one read: when another reduce moved it
 * in between, read it again and decide again. Throws ObjectStoreError (which the workflow retries)
 * after LATEST_WRITE_ATTEMPTS lost writes.
 */
export async function updateLatest(
  store: ObjectStore,
  pointer: LatestPointer,
  logger: Logger,
): Promise<boolean> {
  const valid = parseOrThrow(LatestPointer, pointer, 'latest pointer');
  for (let attempt = 1; attempt <= LATEST_WRITE_ATTEMPTS; attempt += 1) {
    const { current, expected } = await readLatest(store, logger);
    if (current && !supersedes(valid, current)) {
      logger.info('a newer run is already the latest report; latest.json left as it is', {
        latestRunId: current.runId,
        latestStartedAt: current.startedAt,
      });
      return false;
    }
    if (await putJsonIfUnchanged(store, keys.latest, valid, expected)) return true;
    logger.info('latest.json changed while this run was replacing it; reading it again', { attempt });
  }
  throw new ObjectStoreError(
    `writing ${keys.latest} failed: it changed under each of ${LATEST_WRITE_ATTEMPTS} conditional writes`,
  );
}

interface LatestRead {
  /** The pointer, or null when there is none or it cannot be read as one. */
  current: LatestPointer | null;
  /** What the conditional write must find in place: the object as read, or no object. */
  expected: WriteCondition;
}

async function readLatest(store: ObjectStore, logger: Logger): Promise<LatestRead> {
  let read: TaggedObject;
  try {
    read = await store.getWithTag(keys.latest);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return { current: null, expected: { absent: true } };
    throw error;
  }
  const expected = { tag: read.tag };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(read.body));
  } catch (error) {
    logger.warn('latest.json is not JSON; replacing it', { error: (error as Error).message });
    return { current: null, expected };
  }
  const parsed = LatestPointer.safeParse(json);
  if (parsed.success) return { current: parsed.data, expected };
  // a pointer nothing can read is worth less than one naming this complete run
  logger.warn('latest.json does not match the pointer schema; replacing it', {
    issues: formatIssues(parsed.error),
  });
  return { current: null, expected };
}
