/**
 * Digests one partial: every line checked, the functions turned into inventory rows, grouped by
 * target, sorted, and written out as inventory.json and inventory.csv bytes, with each group's
 * counts. Bytes in, bytes out, and nothing shared: the same code runs on the main thread or on a
 * worker thread (digest-pool.ts), and the main thread only has to choose groups and append bytes.
 */
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';
import type { AthenaRun } from '../../shared/athena.ts';
import type { FunctionRecord, ScannedFunction, TargetResult } from '../../shared/contracts.ts';
import { RunDataError } from '../../shared/errors.ts';
import { compareTargets } from '../shared/compare.ts';
import { athenaLine, athenaRowStart } from './athena-rows.ts';
import { inventoryCsvRow } from './csv.ts';
import { type HighlightsPart, highlightsPart } from './html/highlights.ts';
import { FIELD_NAMES, type ParsedLine, PartialLineParser } from './partial-line.ts';
import {
  compareFunctions,
  FunctionRecords,
  FunctionTally,
  isSorted,
  type TallyData,
  targetId,
} from './report-builder.ts';

/** One target's rows in a partial. Groups are contiguous in the digest's bytes, in target order. */
export interface TargetRows {
  /** The target's id (`targetId`). */
  target: string;
  functionCount: number;
  /** Where the group's rows end in `json`, `csv` and `athena`; each group starts where the one before it ends. */
  jsonEnd: number;
  csvEnd: number;
  athenaEnd: number;
  tally: TallyData;
  /** What the HTML page's highlights take from the group's rows. */
  highlights: HighlightsPart;
}

export interface PartialDigest {
  key: string;
  /** The partial's target lines, in line order. */
  targets: TargetResult[];
  /** inventory.json elements, UTF-8, each written as `,\n{...}` (the writer drops the document's first comma). */
  json: Uint8Array;
  /** inventory.csv rows, UTF-8, CRLF-terminated. */
  csv: Uint8Array;
  /** The Athena functions file's rows (athena.ts), UTF-8 NDJSON. */
  athena: Uint8Array;
  groups: TargetRows[];
}

const NEWLINE = 0x0a;
const OPENING_BRACE = 0x7b;
const CLOSING_BRACE = 0x7d;
/** Decoded at once: far below V8's longest string, and whole lines only (a newline byte never occurs inside a UTF-8 sequence). */
const SEGMENT_BYTES = 32 * 1024 * 1024;

/** The text of `bytes` in segments of about `segmentBytes` that end at a newline. */
export function* textSegments(bytes: Uint8Array, segmentBytes = SEGMENT_BYTES): Generator<string> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let start = 0; start < buffer.length; ) {
    let end = start + segmentBytes;
    if (end >= buffer.length) end = buffer.length;
    else {
      const newline = buffer.lastIndexOf(NEWLINE, end - 1);
      const next = newline >= start ? newline : buffer.indexOf(NEWLINE, end);
      end = next < 0 ? buffer.length : next + 1;
    }
    yield buffer.toString('utf8', start, end);
    start = end;
  }
}

/**
 * Every line of a segment as one JSON array, in one parse: a fifth cheaper than a parse per line.
 * A newline never occurs inside a JSON line (it is escaped in strings), so the newlines can become
 * the array's commas. Undefined when that is not valid JSON (a blank or broken line).
 */
function parseLines(segment: string): unknown[] | undefined {
  const body = segment.endsWith('\n') ? segment.slice(0, -1) : segment;
  if (body === '') return undefined;
  try {
    return JSON.parse(`[${body.replaceAll('\n', ',')}]`) as unknown[];
  } catch {
    return undefined;
  }
}

/** A function line as the worker writes it (worker/partial.ts): this, the function's JSON, then `}`. */
const FUNCTION_LINE_PREFIX = '{"kind":"function","function":';
const KEY_END = '":';

/**
 * The function's JSON text inside its partial line, when the line is in the worker's own form: the
 * prefix, then the function's fields in contract order (FIELD_NAMES), each once. Otherwise undefined,
 * and the row is stringified from the checked object instead.
 *
 * The parsed object's keys (already checked, one by one) tell the order. That each key occurs once
 * in the text, and that nothing else is there, is told by the number of `":` in it: outside strings
 * that pair only ends a key (values hold no objects), and inside a string a quote is escaped, so an
 * extra key, a repeated one or an escaped quote before a colon makes the count differ.
 */
function functionJsonOf(line: string, fn: ScannedFunction): string | undefined {
  if (!line.startsWith(FUNCTION_LINE_PREFIX) || line.charCodeAt(line.length - 1) !== CLOSING_BRACE)
    return undefined;
  let index = 0;
  for (const key in fn) {
    if (key !== FIELD_NAMES[index]) return undefined;
    index += 1;
  }
  if (index !== FIELD_NAMES.length) return undefined;
  let keys = 0;
  for (
    let at = line.indexOf(KEY_END, FUNCTION_LINE_PREFIX.length);
    at >= 0;
    at = line.indexOf(KEY_END, at + 2)
  ) {
    keys += 1;
  }
  return keys === FIELD_NAMES.length ? line.slice(FUNCTION_LINE_PREFIX.length, -1) : undefined;
}

/** A checked function and its JSON as the partial line held it (functionJsonOf), when it can be kept. */
interface LineFunction {
  fn: ScannedFunction;
  json: string | undefined;
}

/** Digests partials for one run: the line parser and the runtime lifecycles are kept across partials. */
export class PartialDigester {
  private readonly parser = new PartialLineParser();
  private readonly records: FunctionRecords;
  /** Per runtime lifecycle, the end of a row's JSON: its four lifecycle fields and the closing brace. */
  private readonly lifecycleTails = new Map<object, string>();

  /** What each Athena row starts with: the run's columns. */
  private readonly rowStart: string;

  /** `run`: its start is the day the runtime lifecycle is taken at; both go into the Athena rows. */
  constructor(run: AthenaRun) {
    this.records = new FunctionRecords(new Date(run.startedAt));
    this.rowStart = athenaRowStart(run);
  }

  /** `text`: the partial, decompressed. Throws RunDataError naming the partial and line of a bad line. */
  digest(key: string, text: Uint8Array): PartialDigest {
    const targets: TargetResult[] = [];
    const byTarget = new Map<string, LineFunction[]>();
    let lineNumber = 0;
    const take = (parsed: ParsedLine, line: string) => {
      if (!parsed.ok) throw new RunDataError(`partial ${key}, line ${lineNumber}: ${parsed.reason}`);
      if (parsed.kind === 'target') {
        targets.push(parsed.target);
        return;
      }
      const fn = parsed.function;
      const entry: LineFunction = { fn, json: functionJsonOf(line, fn) };
      const id = targetId(fn);
      const functions = byTarget.get(id);
      if (functions) functions.push(entry);
      else byTarget.set(id, [entry]);
    };
    for (const segment of textSegments(text)) {
      const values = parseLines(segment);
      if (values) {
        // the lines the values were parsed from, in the same order (parseLines joins them as they are)
        const lines = segment.split('\n');
        for (const [index, value] of values.entries()) {
          lineNumber += 1;
          take(this.parser.check(value), lines[index] as string);
        }
        continue;
      }
      // blank lines or a line that is not JSON: line by line, to skip the one and name the other
      for (let start = 0; start < segment.length; ) {
        let end = segment.indexOf('\n', start);
        if (end < 0) end = segment.length;
        const line = segment.slice(start, end);
        start = end + 1;
        lineNumber += 1;
        if (line.charCodeAt(0) !== OPENING_BRACE && line.trim() === '') continue;
        take(this.parser.parse(line), line);
      }
    }
    return this.render(key, targets, byTarget);
  }

  /**
   * A row's inventory JSON: the function's JSON from its line with the lifecycle fields appended
   * (the row's field order is the function's, then those four), or the row stringified.
   */
  private rowJson(row: FunctionRecord, functionJson: string | undefined): string {
    if (functionJson === undefined) return JSON.stringify(row);
    const lifecycle = this.records.lifecycleOf(row.runtime, row.packageType);
    let tail = this.lifecycleTails.get(lifecycle);
    if (tail === undefined) {
      const { runtimeStatus, deprecationDate, blockCreateDate, blockUpdateDate } = row;
      tail = `,${JSON.stringify({ runtimeStatus, deprecationDate, blockCreateDate, blockUpdateDate }).slice(1)}`;
      this.lifecycleTails.set(lifecycle, tail);
    }
    return `${functionJson.slice(0, -1)}${tail}`;
  }

  private render(key: string, targets: TargetResult[], byTarget: Map<string, LineFunction[]>): PartialDigest {
    const ordered = [...byTarget.values()].sort((a, b) =>
      compareTargets((a[0] as LineFunction).fn, (b[0] as LineFunction).fn),
    );
    const groups: TargetRows[] = [];
    const jsonTexts: string[] = [];
    const csvTexts: string[] = [];
    const athenaTexts: string[] = [];
    let jsonEnd = 0;
    let csvEnd = 0;
    let athenaEnd = 0;
    for (const functions of ordered) {
      const entries = functions.map(({ fn, json }) => ({ row: this.records.of(fn), json }));
      // a worker writes a target's functions in the order ListFunctions pages them: often sorted already
      if (!isSorted(entries, byRow)) entries.sort(byRow);
      const rows = entries.map((entry) => entry.row);
      const tally = new FunctionTally();
      let groupJson = '';
      let groupCsv = '';
      let groupAthena = '';
      for (const { row, json } of entries) {
        const rowJson = this.rowJson(row, json);
        groupJson += `,\n${rowJson}`;
        groupCsv += inventoryCsvRow(row);
        groupAthena += athenaLine(this.rowStart, rowJson);
        tally.add(row);
      }
      jsonTexts.push(groupJson);
      csvTexts.push(groupCsv);
      athenaTexts.push(groupAthena);
      jsonEnd += Buffer.byteLength(groupJson);
      csvEnd += Buffer.byteLength(groupCsv);
      athenaEnd += Buffer.byteLength(groupAthena);
      groups.push({
        target: targetId(rows[0] as ScannedFunction),
        functionCount: rows.length,
        jsonEnd,
        csvEnd,
        athenaEnd,
        tally: tally.toData(),
        highlights: highlightsPart(rows),
      });
    }
    return {
      key,
      targets,
      json: utf8(jsonTexts, jsonEnd),
      csv: utf8(csvTexts, csvEnd),
      athena: utf8(athenaTexts, athenaEnd),
      groups,
    };
  }
}

const byRow = (a: { row: FunctionRecord }, b: { row: FunctionRecord }) => compareFunctions(a.row, b.row);

/** The Athena rows of the chosen groups (a digest's groups, in their order). */
export function athenaLines(digest: PartialDigest, groups: readonly TargetRows[]): Uint8Array {
  if (groups.length === digest.groups.length) return digest.athena;
  const chosen = new Set(groups);
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const group of digest.groups) {
    if (chosen.has(group)) parts.push(digest.athena.subarray(start, group.athenaEnd));
    start = group.athenaEnd;
  }
  return Buffer.concat(parts);
}

/**
 * The texts as UTF-8, one after another, in a buffer of its own (not Node's shared pool, so it can
 * move to another thread). Each text is encoded in place: joining them first would copy them all once more.
 */
function utf8(texts: readonly string[], byteLength: number): Uint8Array {
  const bytes = Buffer.allocUnsafeSlow(byteLength);
  let offset = 0;
  for (const text of texts) offset += bytes.write(text, offset, 'utf8');
  return bytes;
}

/** Turns partials (as stored: gzip) into digests, on this thread or on others. */
export interface Digester {
  /** Rejects with RunDataError when the partial is damaged or holds a bad line. */
  digest(key: string, compressed: Uint8Array): Promise<PartialDigest>;
  /** Releases what the digester holds (threads); digests still pending are abandoned. */
  close(): Promise<void>;
}

const gunzipAsync = promisify(gunzip);

/** Decompressed bytes handed over at once when inflating a partial. */
const GUNZIP_CHUNK_BYTES = 1024 * 1024;

/** zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR) mean a damaged partial: the run's data, not the store, is at fault. */
function damaged(key: string, error: unknown): unknown {
  if (!String((error as NodeJS.ErrnoException).code).startsWith('Z_')) return error;
  return new RunDataError(`partial ${key} could not be read: ${(error as Error).message}`, { cause: error });
}

/** Inflates a partial on libuv's thread pool, leaving this thread free. */
export async function inflatePartial(key: string, compressed: Uint8Array): Promise<Buffer> {
  try {
    return await gunzipAsync(compressed, { chunkSize: GUNZIP_CHUNK_BYTES });
  } catch (error) {
    throw damaged(key, error);
  }
}

/** Inflates a partial on the calling thread (a worker thread, which has nothing else to do meanwhile). */
export function inflatePartialSync(key: string, compressed: Uint8Array): Buffer {
  try {
    return gunzipSync(compressed, { chunkSize: GUNZIP_CHUNK_BYTES });
  } catch (error) {
    throw damaged(key, error);
  }
}

/** Digests on the main thread: for small runs, and machines with one core. */
export class InlineDigester implements Digester {
  private readonly digester: PartialDigester;

  constructor(run: AthenaRun) {
    this.digester = new PartialDigester(run);
  }

  async digest(key: string, compressed: Uint8Array): Promise<PartialDigest> {
    return this.digester.digest(key, await inflatePartial(key, compressed));
  }

  async close(): Promise<void> {}
}
