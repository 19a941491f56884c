import { describe, expect, it } from 'vitest';
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
    [true, ['inventory.json.gz', 'inventory.csv.gz', 'summary.json', 'coverage.csv']],
    [false, ['inventory.json', 'inventory.csv', 'summary.json', 'coverage.csv']],
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
    expect([staticPrefix('targets'), keys.failuresPrefix, keys.mapResultsPrefix]).toEqual([
      'runs/',
      'reports/failures/',
      'runs/map-results',
    ]);
  });
});
