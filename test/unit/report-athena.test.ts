/**
 * The Athena files as Athena would read them: written by the real writer into a folder, read by
 * DuckDB through views that declare exactly the Glue tables' columns and types, and queried with the
 * named queries' own SQL text. A column type the data does not fit, a column a query names that the
 * table lacks, or a query that picks the wrong run fails here.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AthenaExport, readAthenaCoverage } from '../../functions/reduce/athena.ts';
import { athenaLine, athenaRowStart } from '../../functions/reduce/athena-rows.ts';
import { FolderObjectStore } from '../../functions/shared/object-store.ts';
import {
  type AthenaRun,
  type AthenaTable,
  athenaObjectKey,
  COVERAGE_TABLE,
  FUNCTIONS_TABLE,
  type GlueType,
  glueTableInput,
  NAMED_QUERIES,
} from '../../shared/athena.ts';
import { CoverageEntry, type FunctionRecord, ScannedFunction } from '../../shared/contracts.ts';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  ACCOUNT_C,
  ACCOUNT_D,
  coverageEntry,
  deniedEntry,
  functionRecord,
} from './report-fixtures.ts';

/** The template's placeholder for the partition value, as Athena writes it. */
const DT_PLACEHOLDER = ['$', '{dt}'].join('');

const DUCKDB_TYPES: Record<GlueType, string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  date: 'DATE',
  'array<string>': 'VARCHAR[]',
};

/**
 * The one translation between Athena and DuckDB: a view per Glue table, named as the table, with the
 * table's columns and types and its `dt` partition taken from the path, over the same files. DuckDB
 * reads each column from its JSON key as written; the view names it as Glue does (the key in lower
 * case), which is how the Hive JSON SerDe finds it.
 */
async function createView<Source>(
  db: DuckDBConnection,
  table: AthenaTable<Source>,
  root: string,
): Promise<void> {
  const columns = table.columns.map((c) => `"${c.key}": '${DUCKDB_TYPES[c.type]}'`).join(', ');
  const names = table.columns.map((c) => `"${c.key}" AS ${c.name}`).join(', ');
  await db.run(`CREATE OR REPLACE VIEW ${table.name} AS
    SELECT ${names}, dt FROM read_json('${root}/athena/${table.name}/*/*/*.json.gz',
      format = 'newline_delimited', columns = {${columns}},
      hive_partitioning = true, hive_types = {'dt': 'VARCHAR'})`);
}

async function rows(db: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await db.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

const dayBefore = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

async function writeRun(
  store: FolderObjectStore,
  run: AthenaRun,
  records: FunctionRecord[],
  coverage: CoverageEntry[],
) {
  const athena = new AthenaExport(store, run);
  await athena.writeFunctions(records);
  return athena.finish(coverage);
}

describe('Athena tables', () => {
  let root: string;
  let instance: DuckDBInstance;
  let db: DuckDBConnection;
  let today: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'report-athena-'));
    // no extension may be fetched: the machine (like CI) has no internet
    instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    db = await instance.connect();
    // the runs are dated from DuckDB's own current_date, which the queries' windows start from
    today = String((await rows(db, 'SELECT CAST(current_date AS varchar) AS d'))[0]?.d);
  });

  afterAll(async () => {
    db.closeSync();
    instance.closeSync();
    await rm(root, { recursive: true, force: true });
  });

  it('has a column for every field of an inventory row and of a coverage entry', () => {
    expect(FUNCTIONS_TABLE.columns.map((c) => c.key).sort()).toEqual(
      [...Object.keys(functionRecord()), 'run_id', 'run_started_at'].sort(),
    );
    expect(Object.keys(functionRecord()).sort()).toEqual(
      [
        ...Object.keys(ScannedFunction.shape),
        'runtimeStatus',
        'deprecationDate',
        'blockCreateDate',
        'blockUpdateDate',
      ].sort(),
    );
    expect(COVERAGE_TABLE.columns.map((c) => c.key).sort()).toEqual(
      [...Object.keys(CoverageEntry.shape), 'run_id', 'run_started_at'].sort(),
    );
    for (const table of [FUNCTIONS_TABLE, COVERAGE_TABLE]) {
      const names = table.columns.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      // the Hive JSON SerDe finds a column's value under its name in any case: the key, lower-cased
      for (const { name, key } of table.columns) {
        expect(name).toBe(key.toLowerCase());
        expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
      }
    }
  });

  it('writes a row as the run, then the record exactly as inventory.json holds it', () => {
    const run = { runId: 'run-1', startedAt: '2026-11-02T03:00:00.000Z' };
    const record = functionRecord({ runtime: null, packageType: 'Image', layers: ['arn:l:1'] });

    const line = athenaLine(athenaRowStart(run), JSON.stringify(record));

    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    const row = JSON.parse(line);
    expect(Object.keys(row)).toEqual(['run_id', 'run_started_at', ...Object.keys(record)]);
    expect(row).toEqual({ run_id: 'run-1', run_started_at: '2026-11-02T03:00:00.000Z', ...record });
  });

  it('writes gzip NDJSON that reads back with the declared types, dt from the path', async () => {
    const store = new FolderObjectStore(join(root, 'roundtrip'));
    const run = { runId: 'run-roundtrip', startedAt: `${today}T03:00:00.000Z` };
    const record = functionRecord({
      runtime: 'python3.9',
      codeSize: 5_000_000_000,
      architectures: ['x86_64'],
      environmentVariableNames: ['TABLE_NAME', 'STAGE'],
    });
    const keys = await writeRun(
      store,
      run,
      [record],
      [coverageEntry({ functionCount: 1, durationMs: 12.5 })],
    );
    await createView(db, FUNCTIONS_TABLE, join(root, 'roundtrip'));
    await createView(db, COVERAGE_TABLE, join(root, 'roundtrip'));

    const [fn] = await rows(db, 'SELECT * FROM functions');
    const [cov] = await rows(db, 'SELECT * FROM coverage');

    expect(keys.functionsKey).toBe(`athena/functions/dt=${today}/run=run-roundtrip/functions.json.gz`);
    expect(fn).toMatchObject({
      dt: today,
      run_id: 'run-roundtrip',
      accountid: ACCOUNT_A,
      runtime: 'python3.9',
      runtimestatus: 'deprecated',
      deprecationdate: '2025-12-15',
      blockupdatedate: '2027-03-03',
      codesize: '5000000000',
      memorysize: 256,
      architectures: ['x86_64'],
      environmentvariablenames: ['TABLE_NAME', 'STAGE'],
      snapstart: null,
    });
    expect(cov).toMatchObject({ dt: today, status: 'ok', functioncount: 1, durationms: 12.5 });
  });

  it("reads a run's coverage back from its file, and refuses the file of another run", async () => {
    const store = new FolderObjectStore(join(root, 'coverage-back'));
    const run = { runId: 'run-back', startedAt: `${today}T03:00:00.000Z` };
    const entries = [
      coverageEntry({ functionCount: 2 }),
      deniedEntry(ACCOUNT_B, 'us-east-1'),
      coverageEntry({ accountId: ACCOUNT_C, region: null, status: 'account-skipped', message: 'SUSPENDED' }),
    ];
    await writeRun(store, run, [], entries);

    expect(await readAthenaCoverage(store, run)).toEqual(entries);
    await expect(readAthenaCoverage(store, { ...run, runId: 'run-other' })).rejects.toThrow();
    const other = new FolderObjectStore(join(root, 'coverage-other'));
    await writeRun(other, { ...run, runId: 'run-other' }, [], entries);
    const file = await readFile(
      join(root, 'coverage-other', athenaObjectKey('coverage', { ...run, runId: 'run-other' })),
    );
    await store.put(athenaObjectKey('coverage', run), file);
    await expect(readAthenaCoverage(store, run)).rejects.toThrow(/holds a row of run run-other/);
  });

  it('writes the same file from rows rendered elsewhere as from the records', async () => {
    const run = { runId: 'run-lines', startedAt: `${today}T03:00:00.000Z` };
    const records = [
      functionRecord({ functionName: 'a', runtime: 'python3.9' }),
      functionRecord({ functionName: 'b', handler: 'ünïcødé.handler' }),
      functionRecord({ functionName: 'c', runtime: null }),
    ];
    const coverage = [coverageEntry({ functionCount: 3 })];
    const fromRecords = join(root, 'from-records');
    const fromLines = join(root, 'from-lines');
    const keys = await writeRun(new FolderObjectStore(fromRecords), run, records, coverage);
    const lines = (part: FunctionRecord[]) =>
      Buffer.from(part.map((record) => athenaLine(athenaRowStart(run), JSON.stringify(record))).join(''));

    const athena = new AthenaExport(new FolderObjectStore(fromLines), run);
    await athena.writeFunctions(records.slice(0, 1));
    await athena.writeFunctionLines(lines(records.slice(1)), 2);
    await athena.writeFunctionLines(new Uint8Array(), 0);
    await athena.finish(coverage);

    const written = async (folder: string) =>
      gunzipSync(await readFile(join(folder, keys.functionsKey))).toString();
    expect(await written(fromLines)).toBe(await written(fromRecords));
    expect((await written(fromLines)).split('\n')).toHaveLength(4);
  });

  it('fails the read when a value does not fit its declared column type', async () => {
    const store = new FolderObjectStore(join(root, 'mismatch'));
    await writeRun(store, { runId: 'run-x', startedAt: `${today}T03:00:00.000Z` }, [functionRecord()], []);
    // the harness must catch a wrong type: declare the handler (text) as a date
    const wrong = {
      ...FUNCTIONS_TABLE,
      columns: FUNCTIONS_TABLE.columns.map((c) =>
        c.name === 'handler' ? { ...c, type: 'date' as const } : c,
      ),
    };
    await createView(db, wrong, join(root, 'mismatch'));

    await expect(rows(db, 'SELECT * FROM functions')).rejects.toThrow(/date|convert|handler/i);
  });

  describe('named queries', () => {
    beforeAll(async () => {
      const store = new FolderObjectStore(join(root, 'history'));
      const at = (date: string, time: string) => `${date}T${time}.000Z`;
      const fleet = (extra: FunctionRecord[]) => [
        functionRecord({ accountId: ACCOUNT_A, functionName: 'a1', runtime: 'nodejs24.x' }),
        functionRecord({ accountId: ACCOUNT_A, functionName: 'a2', runtime: 'python3.9' }),
        ...extra,
      ];
      const twoDaysAgo = dayBefore(today, 2);
      const yesterday = dayBefore(today, 1);
      // ten days ago: outside the 7-day window of "latest run" queries, inside the 90 days of history
      await writeRun(
        store,
        { runId: 'run-old', startedAt: at(dayBefore(today, 10), '03:00:00') },
        fleet([]),
        [deniedEntry(ACCOUNT_D, 'eu-west-1')],
      );
      await writeRun(store, { runId: 'run-d2', startedAt: at(twoDaysAgo, '03:00:00') }, fleet([]), []);
      // two runs yesterday: the later one counts for the day
      await writeRun(
        store,
        { runId: 'run-d1-early', startedAt: at(yesterday, '03:00:00') },
        fleet([functionRecord({ accountId: ACCOUNT_B, functionName: 'b0', runtime: 'nodejs16.x' })]),
        [],
      );
      await writeRun(
        store,
        { runId: 'run-d1-late', startedAt: at(yesterday, '15:00:00') },
        fleet([functionRecord({ accountId: ACCOUNT_B, functionName: 'b1', runtime: 'nodejs22.x' })]),
        [],
      );
      await writeRun(
        store,
        // a run id that sorts before the others: the latest run is chosen by time, not by name
        { runId: 'a-latest', startedAt: at(today, '03:00:00') },
        fleet([
          functionRecord({ accountId: ACCOUNT_B, functionName: 'b1', runtime: 'nodejs22.x' }),
          functionRecord({ accountId: ACCOUNT_B, functionName: 'b2', runtime: 'nodejs16.x' }),
          functionRecord({ accountId: ACCOUNT_B, functionName: 'b3', runtime: 'python3.9' }),
          functionRecord({ accountId: ACCOUNT_B, functionName: 'img', runtime: null, packageType: 'Image' }),
        ]),
        [
          coverageEntry({ accountId: ACCOUNT_A, region: 'eu-west-1', functionCount: 2 }),
          coverageEntry({ accountId: ACCOUNT_A, region: 'us-east-1', functionCount: 0 }),
          coverageEntry({ accountId: ACCOUNT_B, region: 'eu-west-1', functionCount: 4 }),
          deniedEntry(ACCOUNT_B, 'us-east-1'),
          deniedEntry(ACCOUNT_C, 'eu-west-1'),
          deniedEntry(ACCOUNT_C, 'us-east-1'),
          coverageEntry({
            accountId: ACCOUNT_D,
            region: null,
            status: 'account-skipped',
            message: 'account is SUSPENDED',
          }),
        ],
      );
      await createView(db, FUNCTIONS_TABLE, join(root, 'history'));
      await createView(db, COVERAGE_TABLE, join(root, 'history'));
    });

    const query = (name: string) => {
      const named = NAMED_QUERIES.find((q) => q.name.endsWith(name));
      if (!named) throw new Error(`no named query ${name}`);
      return named.sql;
    };

    it('counts deprecated and soon-deprecated functions per account in the latest run', async () => {
      const result = await rows(db, query('deprecated-functions-by-account'));

      expect(result).toEqual([
        {
          account_id: ACCOUNT_B,
          account_name: 'name-222',
          deprecated: '2',
          deprecating_soon: '1',
          first_block_update_date: '2027-03-03',
        },
        {
          account_id: ACCOUNT_A,
          account_name: 'name-111',
          deprecated: '1',
          deprecating_soon: '0',
          first_block_update_date: '2027-03-03',
        },
      ]);
    });

    it('counts functions per runtime and day, from the latest run of each day', async () => {
      const result = await rows(db, query('runtime-counts-over-time'));
      const tenDaysAgo = dayBefore(today, 10);
      const twoDaysAgo = dayBefore(today, 2);
      const yesterday = dayBefore(today, 1);

      expect(result).toEqual([
        { dt: tenDaysAgo, runtime: 'nodejs24.x', functions: '1' },
        { dt: tenDaysAgo, runtime: 'python3.9', functions: '1' },
        { dt: twoDaysAgo, runtime: 'nodejs24.x', functions: '1' },
        { dt: twoDaysAgo, runtime: 'python3.9', functions: '1' },
        // yesterday's later run has b1 on nodejs22.x, not the early run's nodejs16.x
        { dt: yesterday, runtime: 'nodejs22.x', functions: '1' },
        { dt: yesterday, runtime: 'nodejs24.x', functions: '1' },
        { dt: yesterday, runtime: 'python3.9', functions: '1' },
        { dt: today, runtime: 'image', functions: '1' },
        { dt: today, runtime: 'nodejs16.x', functions: '1' },
        { dt: today, runtime: 'nodejs22.x', functions: '1' },
        { dt: today, runtime: 'nodejs24.x', functions: '1' },
        { dt: today, runtime: 'python3.9', functions: '2' },
      ]);
    });

    it('lists the scanned accounts where every region was access-denied, in the latest run', async () => {
      const result = await rows(db, query('accounts-without-role'));

      // B is denied in one region only; D was denied ten days ago and is skipped now
      expect(result).toEqual([
        {
          account_id: ACCOUNT_C,
          account_name: 'name-333',
          regions: '2',
          error_code: 'AccessDenied',
          message: `User is not authorized to perform: sts:AssumeRole on arn:aws:iam::${ACCOUNT_C}:role/CrossAccountListFunctionsRole`,
        },
      ]);
    });
  });

  it("declares Glue tables whose projected location holds each run's file", () => {
    const run = { runId: 'run-7', startedAt: '2026-11-02T23:59:59.000Z' };
    for (const table of [FUNCTIONS_TABLE, COVERAGE_TABLE]) {
      const input = glueTableInput(table, { bucketName: 'reports-bucket' });
      const partition = input.parameters['storage.location.template'].replace(DT_PLACEHOLDER, '2026-11-02');

      expect(`s3://reports-bucket/${athenaObjectKey(table.name, run)}`.startsWith(partition)).toBe(true);
      expect(partition.startsWith(input.storageDescriptor.location)).toBe(true);
      expect(input.partitionKeys.map((k) => k.name)).toEqual(['dt']);
      expect(input.parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': 'NOW-3YEARS,NOW',
      });
      expect(input.storageDescriptor.columns.map((c) => c.name)).toEqual(table.columns.map((c) => c.name));
    }
  });
});
