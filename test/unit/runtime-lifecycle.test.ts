import { describe, expect, it } from 'vitest';
import {
  DEPRECATING_SOON_DAYS,
  RUNTIME_LIFECYCLE_DATA,
  type RuntimeLifecycleData,
  runtimeLifecycle,
} from '../../functions/shared/runtime-lifecycle.ts';
import { RuntimeStatus } from '../../shared/contracts.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

const data: RuntimeLifecycleData = {
  source: 'test',
  updated: '2026-07',
  runtimes: {
    'nodejs20.x': {
      deprecationDate: '2026-04-30',
      blockCreateDate: '2027-02-01',
      blockUpdateDate: '2027-03-03',
    },
    'python2.7': { deprecationDate: '2021-07-15', blockCreateDate: null, blockUpdateDate: null, note: 'old' },
  },
};

const deprecation = Date.parse('2026-04-30T00:00:00.000Z');
const at = (ms: number) => new Date(ms);

describe('runtimeLifecycle', () => {
  it.each([
    ['a year before the deprecation date', at(deprecation - 365 * DAY_MS), 'supported'],
    [
      '1 ms before the deprecating-soon window',
      at(deprecation - DEPRECATING_SOON_DAYS * DAY_MS - 1),
      'supported',
    ],
    ['exactly 180 days before', at(deprecation - DEPRECATING_SOON_DAYS * DAY_MS), 'deprecating-soon'],
    ['the day before', at(deprecation - DAY_MS), 'deprecating-soon'],
    ['1 ms before midnight UTC of the deprecation date', at(deprecation - 1), 'deprecating-soon'],
    ['midnight UTC of the deprecation date', at(deprecation), 'deprecated'],
    ['a year after', at(deprecation + 365 * DAY_MS), 'deprecated'],
  ] as const)('is %s -> %s', (_when, asOf, expected) => {
    // Act
    const lifecycle = runtimeLifecycle('nodejs20.x', 'Zip', asOf, data);

    // Assess
    expect(lifecycle).toEqual({
      runtimeStatus: expected,
      deprecationDate: '2026-04-30',
      blockCreateDate: '2027-02-01',
      blockUpdateDate: '2027-03-03',
    });
  });

  it.each([
    ['a container image', 'nodejs20.x', 'Image', 'image'],
    ['an image without a runtime', null, 'Image', 'image'],
    ['a runtime the data does not list', 'ruby4.0', 'Zip', 'unknown'],
    ['a zip function without a runtime', null, 'Zip', 'unknown'],
    ['a name only found on Object.prototype', 'constructor', 'Zip', 'unknown'],
    ['a name only found on Object.prototype', '__proto__', 'Zip', 'unknown'],
  ] as const)('reports %s (%s, %s) as %s, without dates', (_what, runtime, packageType, expected) => {
    // Act
    const lifecycle = runtimeLifecycle(runtime, packageType, at(deprecation), data);

    // Assess
    expect(lifecycle).toEqual({
      runtimeStatus: expected,
      deprecationDate: null,
      blockCreateDate: null,
      blockUpdateDate: null,
    });
  });

  it('passes null block dates through for long-blocked runtimes', () => {
    // Act
    const lifecycle = runtimeLifecycle('python2.7', 'Zip', at(deprecation), data);

    // Assess
    expect(lifecycle).toEqual({
      runtimeStatus: 'deprecated',
      deprecationDate: '2021-07-15',
      blockCreateDate: null,
      blockUpdateDate: null,
    });
  });

  it('returns only statuses of the contract', () => {
    // Act
    const statuses = ['nodejs20.x', 'python2.7', 'ruby4.0'].map(
      (runtime) => runtimeLifecycle(runtime, 'Zip', new Date('2026-01-01T00:00:00Z'), data).runtimeStatus,
    );

    // Assess
    for (const status of statuses) expect(RuntimeStatus.options).toContain(status);
    expect(statuses).toEqual(['deprecating-soon', 'deprecated', 'unknown']);
  });
});

describe('runtimes.json', () => {
  // rows of the "Lambda runtime lifecycle" table in aws-facts.md
  it.each([
    ['nodejs14.x', '2023-12-04', '2024-01-09', '2027-03-03'],
    ['nodejs20.x', '2026-04-30', '2027-02-01', '2027-03-03'],
    ['nodejs22.x', '2027-04-30', '2027-06-01', '2027-07-01'],
    ['nodejs24.x', '2028-04-30', '2028-06-01', '2028-07-01'],
    ['python3.9', '2025-12-15', '2027-02-01', '2027-03-03'],
    ['python3.10', '2026-10-31', '2027-02-01', '2027-03-03'],
    ['python3.12', '2028-10-31', '2028-11-30', '2029-01-10'],
    ['python3.14', '2029-06-30', '2029-07-31', '2029-08-31'],
    ['java8', '2024-01-08', '2024-02-08', '2027-03-03'],
    ['java17', '2027-06-30', '2027-07-31', '2027-08-31'],
    ['java25', '2029-06-30', '2029-07-31', '2029-08-31'],
    ['go1.x', '2024-01-08', '2024-02-08', '2027-03-03'],
    ['provided.al2', '2026-07-31', '2027-02-01', '2027-03-03'],
    ['provided.al2023', '2029-06-30', '2029-07-31', '2029-08-31'],
    ['dotnet8', '2026-11-10', '2027-02-01', '2027-03-03'],
    ['dotnet10', '2028-11-14', '2028-12-14', '2029-01-15'],
    ['ruby2.7', '2023-12-07', '2024-01-09', '2027-03-03'],
    ['ruby3.4', '2028-03-31', '2028-04-30', '2028-05-31'],
  ])(
    'records %s with the dates of the AWS table',
    (runtime, deprecationDate, blockCreateDate, blockUpdateDate) => {
      // Act
      const dates = RUNTIME_LIFECYCLE_DATA.runtimes[runtime];

      // Assess
      expect(dates).toEqual({ deprecationDate, blockCreateDate, blockUpdateDate });
    },
  );

  it.each([
    'nodejs',
    'nodejs4.3',
    'nodejs6.10',
    'nodejs8.10',
    'nodejs10.x',
    'nodejs12.x',
    'python2.7',
    'python3.6',
    'dotnetcore1.0',
    'dotnetcore2.0',
    'dotnetcore2.1',
    'dotnetcore3.1',
    'ruby2.5',
  ])('reports the long-deprecated %s as deprecated, with a note on where its dates come from', (runtime) => {
    // Act
    const lifecycle = runtimeLifecycle(runtime, 'Zip', new Date('2023-06-01T00:00:00Z'));

    // Assess
    expect(lifecycle.runtimeStatus).toBe('deprecated');
    expect(RUNTIME_LIFECYCLE_DATA.runtimes[runtime]?.note).toMatch(/\S/);
  });

  it('lists every runtime in lifecycle order: deprecated, then blocked from creating, then from updating', () => {
    // Act
    const outOfOrder = Object.entries(RUNTIME_LIFECYCLE_DATA.runtimes).filter(
      ([, d]) =>
        (d.blockCreateDate !== null && d.blockCreateDate < d.deprecationDate) ||
        (d.blockCreateDate !== null && d.blockUpdateDate !== null && d.blockUpdateDate < d.blockCreateDate),
    );

    // Assess
    expect(outOfOrder).toEqual([]);
    expect(RUNTIME_LIFECYCLE_DATA.source).toMatch(/docs\.aws\.amazon\.com\/lambda/);
  });

  it('classifies the nodejs24.x runtime of the project itself as supported on the day the data was recorded', () => {
    // Act
    const lifecycle = runtimeLifecycle('nodejs24.x', 'Zip', new Date('2026-07-31T00:00:00Z'));

    // Assess
    expect(lifecycle.runtimeStatus).toBe('supported');
  });
});
