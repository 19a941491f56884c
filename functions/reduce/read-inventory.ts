/**
 * Reads a written inventory (inventory.json, or its gzip `.gz` variant) with bounded memory: the
 * functions are yielded one by one as the bytes arrive, and only the document's other fields (run id,
 * dates, coverage, summary) are kept. A 400,000-function inventory is about 330 MB of JSON; reading
 * it whole would not fit a Lambda, and would not be needed.
 *
 * The reader scans the JSON text itself (strings, escapes, nesting), so any valid formatting of the
 * same document reads the same. The writer's own layout, one function per line, is read a line at a
 * time instead: a line that parses whole as a JSON object (once a trailing comma is dropped) is one
 * function, since an object split across lines or two objects on one line would not parse. The first
 * line that does not fit turns that shortcut off for the rest of the document.
 *
 * `rows()` and readInventoryDocument go further and do not parse such lines at all: a line that starts
 * with `{` and ends with `}` is taken as one function, parsed only when its row is (the diff parses
 * only the rows that changed). An inventory written otherwise, with such a line that is not one
 * object, then fails with a RunDataError instead of being read.
 */
import { createGunzip } from 'node:zlib';
import { CoverageEntry, FunctionRecord, formatIssues } from '../../shared/contracts.ts';
import { RunDataError } from '../../shared/errors.ts';
import * as z from '../../shared/zod.ts';

/**
 * Rows as they were written: fields added to the contract later are dropped rather than refused, so a
 * newer reduce can still read an older run's inventory (and the other way round).
 */
const StoredFunction = z.object(FunctionRecord.shape);
export const StoredCoverage = z.array(z.object(CoverageEntry.shape));

/** The inventory's fields besides its functions. */
export interface InventoryDocument {
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  /** Functions in the document. */
  functionCount: number;
  coverage: CoverageEntry[];
  /** The other top-level fields (schemaVersion, summary ...), parsed but not checked. */
  fields: Record<string, unknown>;
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** The bytes of `source`, inflated when they start with the gzip magic number. */
export async function* inflateIfGzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < GZIP_MAGIC.length) {
    const next = await iterator.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  const rest = async function* () {
    if (head.length > 0) yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  };
  if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
    yield* rest();
    return;
  }
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const feeding = (async () => {
    for await (const chunk of rest()) {
      if (!gunzip.write(chunk)) await new Promise((resolve) => gunzip.once('drain', resolve));
    }
    gunzip.end();
  })();
  feeding.catch((error: unknown) => gunzip.destroy(error as Error));
  yield* gunzip;
  await feeding;
}

const State = {
  BeforeDocument: 0,
  ExpectKey: 1,
  InKey: 2,
  ExpectColon: 3,
  ExpectValue: 4,
  InValue: 5,
  InFunctions: 6,
  InFunction: 7,
  AfterDocument: 8,
} as const;
type State = (typeof State)[keyof typeof State];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** What ends a run of ordinary characters inside a string, and outside one. */
const STRING_STOP = /["\\]/g;
const STRUCTURE_STOP = /["{}[\]]/g;

/** A function found in the text: its JSON text, or the object already parsed from its line. */
type Found = string | { value: object };

/**
 * A function of an inventory: its JSON text as the inventory holds it, parsed (and checked, when the
 * reader checks) the first time `record()` is called. Rows with the same text are the same function
 * with the same fields.
 */
export class InventoryRow {
  private parsed: FunctionRecord | undefined;

  constructor(
    readonly text: string,
    private readonly parseText: () => FunctionRecord,
  ) {}

  record(): FunctionRecord {
    this.parsed ??= this.parseText();
    return this.parsed;
  }
}

const isSpace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

export interface InventoryReaderOptions {
  /** Whether `functions()` parses and yields the functions, or only passes over them (see readInventoryDocument). @default true */
  parse?: boolean;
  /**
   * Whether each function is checked against the schema. Only an inventory this process has just
   * written itself skips the check (its rows are FunctionRecords already); anything read from the
   * store that another run wrote is checked. @default true
   */
  check?: boolean;
}

/**
 * Reads one inventory. `functions()` may be iterated once; `document()` is available once it is done.
 * Damaged or unexpected content is a RunDataError naming `what` and the function's position.
 */
export class InventoryReader {
  private state: State = State.BeforeDocument;
  /** Text of the value being captured, from earlier chunks. */
  private carry = '';
  /** Nesting inside the captured value (objects and arrays). */
  private nesting = 0;
  private inString = false;
  private escaped = false;
  /** A scalar (number, true, false, null) value: it ends at the first delimiter. */
  private scalar = false;
  private key = '';
  /** Whether functions are still read a line at a time (the writer's layout; see the module's comment). */
  private byLine = true;
  /** Whether a line of the writer's layout is taken without parsing it (rows() and the document pass). */
  private trustLines: boolean;
  private functionCount = 0;
  private readonly fields: Record<string, unknown> = {};
  private done = false;

  private readonly parse: boolean;
  private readonly check: boolean;

  constructor(
    private readonly source: AsyncIterable<Uint8Array>,
    /** How errors name the inventory, for example its key. */
    private readonly what: string,
    { parse = true, check = true }: InventoryReaderOptions = {},
  ) {
    this.parse = parse;
    this.check = check;
    this.trustLines = !parse;
  }

  async *functions(): AsyncGenerator<FunctionRecord> {
    for await (const found of this.found()) {
      for (const item of found) {
        this.functionCount += 1;
        if (this.parse) yield this.parseFunction(item, this.functionCount);
      }
    }
  }

  /** The functions as rows, each parsed when its `record()` is first called (see the module's comment). */
  async *rows(): AsyncGenerator<InventoryRow> {
    this.trustLines = true;
    for await (const found of this.found()) {
      for (const item of found) {
        const position = ++this.functionCount;
        // trusted lines are found as text
        const text = item as string;
        yield new InventoryRow(text, () => this.parseFunction(text, position));
      }
    }
  }

  /** The functions found in each chunk, in order; the document's other fields are kept as they pass. */
  private async *found(): AsyncGenerator<Found[]> {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    try {
      for await (const chunk of inflateIfGzip(this.source)) {
        const found: Found[] = [];
        this.scan(decoder.decode(chunk, { stream: true }), found);
        yield found;
      }
      const found: Found[] = [];
      this.scan(decoder.decode(), found);
      yield found;
    } catch (error) {
      if (error instanceof RunDataError) throw error;
      throw new RunDataError(`${this.what} could not be read: ${(error as Error).message}`, { cause: error });
    }
    if (this.state !== State.AfterDocument) throw this.error('the document ends early');
    this.done = true;
  }

  document(): InventoryDocument {
    if (!this.done) throw new Error(`${this.what}: read the functions to the end first`);
    const { runId, startedAt, finishedAt, coverage, ...fields } = this.fields;
    if (typeof runId !== 'string' || typeof startedAt !== 'string') {
      throw this.error('runId and startedAt must be strings');
    }
    const parsed = StoredCoverage.safeParse(coverage ?? []);
    if (!parsed.success) throw this.error(`coverage: ${formatIssues(parsed.error)}`);
    return {
      runId,
      startedAt,
      finishedAt: typeof finishedAt === 'string' ? finishedAt : null,
      functionCount: this.functionCount,
      coverage: parsed.data,
      fields,
    };
  }

  private parseFunction(item: Found, position: number): FunctionRecord {
    let json: unknown;
    if (typeof item === 'string') {
      try {
        json = JSON.parse(item);
      } catch (error) {
        throw this.error(`function ${position} is not JSON (${(error as Error).message})`);
      }
    } else json = item.value;
    if (!this.check) return json as FunctionRecord;
    const parsed = StoredFunction.safeParse(json);
    if (!parsed.success) throw this.error(`function ${position}: ${formatIssues(parsed.error)}`);
    return parsed.data;
  }

  private error(message: string): RunDataError {
    return new RunDataError(`${this.what}: ${message}`);
  }

  /**
   * The function whose line starts at `from` (parsed, or its text when lines are trusted), and the
   * index of its last character (its comma included); undefined when the line is not one whole object,
   * or is not whole in this chunk.
   */
  private lineFunction(text: string, from: number): { found: Found; last: number } | undefined {
    const newline = text.indexOf('\n', from);
    if (newline < 0) return undefined;
    let end = newline;
    while (end > from && isSpace(text.charCodeAt(end - 1))) end -= 1;
    const comma = text.charCodeAt(end - 1) === COMMA;
    if (comma) end -= 1;
    if (text.charCodeAt(end - 1) !== CLOSE_BRACE) return undefined;
    const last = comma ? end : end - 1;
    if (this.trustLines) return { found: text.slice(from, end), last };
    let value: unknown;
    try {
      value = JSON.parse(text.slice(from, end));
    } catch {
      return undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return { found: { value }, last };
  }

  /** Advances through `text`, pushing each complete function (its JSON text, or parsed) to `found`. */
  private scan(text: string, found: Found[]): void {
    let start =
      this.state === State.InKey || this.state === State.InValue || this.state === State.InFunction ? 0 : -1;
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      switch (this.state) {
        case State.InKey:
        case State.InValue:
        case State.InFunction: {
          if (!this.scalar) {
            i = this.capture(text, i, start, found);
            continue;
          }
          if (code === COMMA || code === CLOSE_BRACE || isSpace(code)) {
            this.complete(text.slice(start, i), found);
            i -= 1; // the delimiter belongs to the object around the value
          }
          continue;
        }
        case State.BeforeDocument:
          if (isSpace(code)) continue;
          if (code !== OPEN_BRACE) throw this.error('not a JSON object');
          this.state = State.ExpectKey;
          continue;
        case State.ExpectKey:
          if (isSpace(code) || code === COMMA) continue;
          if (code === CLOSE_BRACE) {
            this.state = State.AfterDocument;
            continue;
          }
          if (code !== QUOTE) throw this.error(`unexpected ${JSON.stringify(text[i])} where a key should be`);
          this.begin(State.InKey, true, false, 0);
          start = i;
          continue;
        case State.ExpectColon:
          if (isSpace(code)) continue;
          if (code !== COLON) throw this.error(`expected ":" after "${this.key}"`);
          this.state = State.ExpectValue;
          continue;
        case State.ExpectValue:
          if (isSpace(code)) continue;
          if (this.key === 'functions' && code === OPEN_BRACKET) {
            this.state = State.InFunctions;
            continue;
          }
          start = i;
          if (code === QUOTE) this.begin(State.InValue, true, false, 0);
          else if (code === OPEN_BRACE || code === OPEN_BRACKET) this.begin(State.InValue, false, false, 1);
          else this.begin(State.InValue, false, true, 0);
          continue;
        case State.InFunctions:
          if (isSpace(code) || code === COMMA) continue;
          if (code === CLOSE_BRACKET) {
            this.state = State.ExpectKey;
            continue;
          }
          if (code !== OPEN_BRACE)
            throw this.error(`function ${this.functionCount + found.length + 1} is not an object`);
          if (this.byLine) {
            const line = this.lineFunction(text, i);
            if (line) {
              found.push(line.found);
              i = line.last;
              continue;
            }
            // the last line of a chunk is usually cut short: only a whole line that fails ends the shortcut
            if (text.indexOf('\n', i) >= 0) this.byLine = false;
          }
          this.begin(State.InFunction, false, false, 1);
          start = i;
          continue;
        case State.AfterDocument:
          if (!isSpace(code)) throw this.error('unexpected content after the document');
          continue;
      }
    }
    // a value still open at the chunk's end continues in the next chunk
    if (this.state === State.InKey || this.state === State.InValue || this.state === State.InFunction) {
      this.carry += text.slice(Math.max(start, 0));
    }
  }

  /**
   * Follows a string, object or array being captured from `from`, jumping from one character that
   * matters to the next (quotes and escapes in strings, brackets and quotes outside). Returns the index
   * of the character that completed the value, or the text's length when the value goes on.
   */
  private capture(text: string, from: number, start: number, found: Found[]): number {
    let i = from;
    while (i < text.length) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          i += 1;
          continue;
        }
        STRING_STOP.lastIndex = i;
        const stop = STRING_STOP.exec(text);
        if (!stop) return text.length;
        i = stop.index;
        if (text.charCodeAt(i) === BACKSLASH) {
          this.escaped = true;
          i += 1;
          continue;
        }
        this.inString = false;
        if (this.nesting === 0) {
          this.complete(text.slice(start, i + 1), found);
          return i;
        }
        i += 1;
        continue;
      }
      STRUCTURE_STOP.lastIndex = i;
      const stop = STRUCTURE_STOP.exec(text);
      if (!stop) return text.length;
      i = stop.index;
      const code = text.charCodeAt(i);
      if (code === QUOTE) this.inString = true;
      else if (code === OPEN_BRACE || code === OPEN_BRACKET) this.nesting += 1;
      else {
        this.nesting -= 1;
        if (this.nesting === 0) {
          this.complete(text.slice(start, i + 1), found);
          return i;
        }
      }
      i += 1;
    }
    return text.length;
  }

  private begin(state: State, inString: boolean, scalar: boolean, nesting: number): void {
    this.state = state;
    this.inString = inString;
    this.escaped = false;
    this.scalar = scalar;
    this.nesting = nesting;
    this.carry = '';
  }

  /** A key, a field's value or a function is complete: `tail` is its text from this chunk. */
  private complete(tail: string, found: Found[]): void {
    const text = this.carry + tail;
    this.carry = '';
    if (this.state === State.InKey) {
      this.key = JSON.parse(text) as string;
      this.state = State.ExpectColon;
    } else if (this.state === State.InFunction) {
      found.push(text);
      this.state = State.InFunctions;
    } else {
      try {
        this.fields[this.key] = JSON.parse(text);
      } catch (error) {
        throw this.error(`field "${this.key}" is not JSON (${(error as Error).message})`);
      }
      this.state = State.ExpectKey;
    }
    this.scalar = false;
  }
}

/**
 * The inventory's fields without its functions: a pass over the text that parses none of them. The
 * diff needs the previous run's coverage before it reads the previous functions, and inventory.json
 * keeps its coverage after them.
 */
export async function readInventoryDocument(
  source: AsyncIterable<Uint8Array>,
  what: string,
): Promise<InventoryDocument> {
  const reader = new InventoryReader(source, what, { parse: false });
  for await (const _ of reader.functions()) {
    // nothing is yielded: the functions are passed over
  }
  return reader.document();
}
