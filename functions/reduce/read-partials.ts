/**
 * Reads the workers' partials (gzip NDJSON, one per batch) with bounded memory: a window of at most
 * `concurrency` partials is read ahead, and they are handed out strictly in key order, so the
 * report's rows come out in target order however fast each read finishes.
 */

import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import {
  formatIssues,
  PartialLine,
  type ScannedFunction,
  type TargetResult,
} from '../../shared/contracts.ts';
import { RunDataError } from '../../shared/errors.ts';
import { type ObjectStore, ObjectStoreError } from '../shared/object-store.ts';

/** One batch's worth of data: small (one batch of targets), so it is held whole while it is written out. */
export interface PartialContent {
  key: string;
  targets: TargetResult[];
  functions: ScannedFunction[];
}

/** Reads, gunzips and validates one partial, line by line; any bad line fails with the key and line number. */
export async function readPartial(store: ObjectStore, key: string): Promise<PartialContent> {
  const content: PartialContent = { key, targets: [], functions: [] };
  const body = await store.getStream(key);
  const gunzip = createGunzip();
  const piped = pipeline(body, gunzip);
  // awaited below; a bad line can end the read before that, and the abandoned pipe must not count as unhandled
  piped.catch(() => undefined);
  let lineNumber = 0;
  try {
    for await (const line of createInterface({ input: gunzip, crlfDelay: Number.POSITIVE_INFINITY })) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      const parsed = parseLine(line);
      if (!parsed.ok) throw new RunDataError(`partial ${key}, line ${lineNumber}: ${parsed.reason}`);
      if (parsed.line.kind === 'target') content.targets.push(parsed.line.target);
      else content.functions.push(parsed.line.function);
    }
    await piped;
  } catch (error) {
    gunzip.destroy();
    body.destroy();
    if (error instanceof RunDataError) throw error;
    const message = `partial ${key} could not be read: ${(error as Error).message}`;
    // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR) mean a damaged partial; anything else is the store failing
    if (String((error as NodeJS.ErrnoException).code).startsWith('Z_'))
      throw new RunDataError(message, { cause: error });
    throw new ObjectStoreError(message, { cause: error });
  }
  return content;
}

function parseLine(line: string): { ok: true; line: PartialLine } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `not JSON (${(error as Error).message})` };
  }
  const parsed = PartialLine.safeParse(json);
  return parsed.success ? { ok: true, line: parsed.data } : { ok: false, reason: formatIssues(parsed.error) };
}

/**
 * Yields the partials in the order of `keys`, reading at most `concurrency` of them at a time. A read
 * starts only when a slot is free: the window never holds more than `concurrency` partials.
 */
export async function* readPartials(
  store: ObjectStore,
  keys: readonly string[],
  concurrency: number,
  read: (store: ObjectStore, key: string) => Promise<PartialContent> = readPartial,
): AsyncGenerator<PartialContent> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const window: Promise<PartialContent>[] = [];
  let next = 0;
  const fill = () => {
    while (window.length < concurrency && next < keys.length) {
      const reading = read(store, keys[next++] as string);
      // read-ahead results are awaited in key order later; until then a failure must not count as unhandled
      reading.catch(() => undefined);
      window.push(reading);
    }
  };
  fill();
  while (window.length > 0) {
    const partial = await (window[0] as Promise<PartialContent>);
    window.shift();
    fill();
    yield partial;
  }
}
