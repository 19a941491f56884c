import { describe, expect, it } from 'vitest';
import { ATHENA_PREFIX, ATHENA_TABLES, athenaObjectKey, athenaTablePrefix } from '../../shared/athena.ts';
import {
  KEY_TEMPLATES,
  type KeyKind,
  keys,
  objectKey,
  objectPattern,
  REPORT_FILES,
  type ReportFile,
  reportFileNames,
  staticPrefix,
} from '../../shared/keys.ts';

/** An IAM resource pattern as a regular expression: `*` any characters, `?` one. */
const matcher = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/** A key of every kind, as the code that writes it builds it. */
const WRITTEN: [KeyKind, string][] = [
  ['targets', keys.targets('run-1')],
  ['skipped', keys.skipped('run-1')],
  ['partials', keys.partialsPrefix('run-1', '0123456789ab')],
  ['partial', keys.partial('run-1', '0123456789ab', '111111111111-eu-west-1-abc')],
  ['mapResult', `${keys.mapResultsPrefix}/4c1d6f2e/SUCCEEDED_0.json`],
  ['report', keys.reportPrefix('2026-12-03', 'run-1')],
  ['reportFile', keys.reportFile('2026-12-03', 'run-1', 'inventoryCsv', true)],
  ['latest', keys.latest],
  ['failure', keys.failure('exec-1')],
  ['athenaFile', athenaObjectKey('functions', { runId: 'run-1', startedAt: '2026-12-03T03:00:00.000Z' })],
  ['athenaResult', `${keys.athenaResultsPrefix}0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.csv`],
];

describe('S3 key templates', () => {
  it.each(WRITTEN)('match a written %s key with the pattern its grant uses', (kind, key) => {
    expect(key).toMatch(matcher(objectPattern(kind)));
  });

  /** Kinds of objects, not folders (a folder template ends with `/`). */
  const objects = WRITTEN.filter(([kind]) => !KEY_TEMPLATES[kind].endsWith('/'));

  it.each(objects)('keep a %s key out of the patterns of every other kind of object', (kind, key) => {
    // Act
    const others = objects
      .map(([other]) => other)
      .filter((other) => other !== kind && matcher(objectPattern(other)).test(key));

    // Assess
    expect(others).toEqual([]);
  });

  it('pins a report file grant to one file name in a dated folder', () => {
    // Act
    const pattern = objectPattern('reportFile', { file: 'summary.json' });

    // Assess
    expect(pattern).toBe('reports/????-??-??/*/summary.json');
    expect(keys.reportFile('2026-12-03', 'run-1', 'summaryJson', true)).toMatch(matcher(pattern));
    expect('reports/failures/x/summary.json').not.toMatch(matcher(pattern));
  });

  it.each([
    [
      true,
      [
        'inventory.json.gz',
        'inventory.csv.gz',
        'summary.json',
        'coverage.csv',
        'report.html',
        'diff.json',
        'gaps.csv',
      ],
    ],
    [
      false,
      [
        'inventory.json',
        'inventory.csv',
        'summary.json',
        'coverage.csv',
        'report.html',
        'diff.json',
        'gaps.csv',
      ],
    ],
  ])('names the report files, compressed: %s', (compress, names) => {
    expect(reportFileNames(compress)).toEqual(names);
    expect(
      (Object.keys(REPORT_FILES) as ReportFile[]).map((file) =>
        keys.reportFile('2026-12-03', 'run-1', file, compress),
      ),
    ).toEqual(names.map((name) => `reports/2026-12-03/run-1/${name}`));
  });

  it('refuses to fill a placeholder with nothing, naming it', () => {
    expect(() => objectKey('targets', { runId: '' })).toThrow('S3 key targets: runId is empty');
  });

  it('keeps the static prefixes the workflow and lifecycle rules use', () => {
    expect([
      staticPrefix('targets'),
      keys.failuresPrefix,
      keys.mapResultsPrefix,
      staticPrefix('athenaFile'),
      keys.athenaResultsPrefix,
    ]).toEqual(['runs/', 'reports/failures/', 'runs/map-results', ATHENA_PREFIX, 'athena-results/']);
  });

  it.each(ATHENA_TABLES.map((table) => [table.name]))(
    "pins reduce's grant on the %s table to that table's files, inside the table's location",
    (table) => {
      // Prepare
      const other = ATHENA_TABLES.find((candidate) => candidate.name !== table)?.name ?? 'functions';
      const run = { runId: 'run-1', startedAt: '2026-12-03T23:59:59.999Z' };

      // Act
      const pattern = matcher(objectPattern('athenaFile', { table }));

      // Assess
      expect(athenaObjectKey(table, run)).toMatch(pattern);
      expect(athenaObjectKey(table, run).startsWith(athenaTablePrefix(table))).toBe(true);
      expect(athenaObjectKey(other, run)).not.toMatch(pattern);
      expect(`${athenaTablePrefix(table)}dt=2026-12-03/run=run-1/notes.json`).not.toMatch(pattern);
    },
  );

  it('keeps query results out of the tables, whose locations Athena reads whole', () => {
    for (const table of ATHENA_TABLES)
      expect(`${keys.athenaResultsPrefix}x.csv`.startsWith(athenaTablePrefix(table.name))).toBe(false);
  });
});
