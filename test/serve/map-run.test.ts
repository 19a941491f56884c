import { describe, expect, it } from 'vitest';
import { MapRunProgress } from '../../local/serve/map-run.ts';

const at = new Date('2026-12-01T10:00:00.000Z');
const later = new Date('2026-12-01T10:05:00.000Z');

function mapRun(items: number, batchSize: number, maxConcurrency = 2, toleratedFailurePercentage = 10) {
  return new MapRunProgress(
    'arn:aws:states:us-east-1:000000000000:mapRun:machine/Scan targets:id',
    'arn:aws:states:us-east-1:000000000000:execution:machine:name',
    { maxConcurrency, toleratedFailurePercentage },
    { items, batchSize, at },
  );
}

describe('MapRunProgress', () => {
  it('counts MaxConcurrency batches running from the start, the others pending', () => {
    const progress = mapRun(8, 2);

    expect(progress.status).toBe('RUNNING');
    expect(progress.executionCounts()).toMatchObject({ total: 4, running: 2, pending: 2, succeeded: 0 });
    expect(progress.itemCounts()).toMatchObject({ total: 8, running: 4, pending: 4, succeeded: 0 });
  });

  it('starts the next batch as one settles, and counts the short last batch by its items', () => {
    const progress = mapRun(7, 2);

    progress.batchSettled('succeeded', 2);
    progress.batchSettled('succeeded', 2);
    progress.batchSettled('succeeded', 2);

    expect(progress.executionCounts()).toMatchObject({ total: 4, succeeded: 3, running: 1, pending: 0 });
    expect(progress.itemCounts()).toMatchObject({ total: 7, succeeded: 6, running: 1, pending: 0 });
  });

  it('succeeds once every batch has settled within the tolerance and the results are written', () => {
    const progress = mapRun(20, 2, 10, 10);

    for (let batch = 0; batch < 9; batch++) progress.batchSettled('succeeded', 2);
    progress.batchSettled('failed', 2);
    const settled = progress.status;
    progress.resultsWrittenAt(later);

    expect(settled).toBe('RUNNING');
    expect(progress.status).toBe('SUCCEEDED');
    expect(progress.stopDate).toEqual(later);
    expect(progress.itemCounts()).toMatchObject({ succeeded: 18, failed: 2, running: 0, pending: 0 });
  });

  it('starts no batch once the failures exceed the tolerance, and fails once the running ones settle', () => {
    const progress = mapRun(8, 2);

    progress.batchSettled('failed', 2);
    const whileRunning = progress.executionCounts();
    progress.batchSettled('succeeded', 2);
    progress.resultsWrittenAt(later);

    expect(whileRunning).toMatchObject({ failed: 1, running: 1, pending: 2 });
    expect(progress.status).toBe('FAILED');
    expect(progress.stopDate).toEqual(later);
    expect(progress.executionCounts()).toMatchObject({ failed: 1, succeeded: 1, running: 0, pending: 2 });
    expect(progress.itemCounts()).toMatchObject({ failed: 2, succeeded: 2, running: 0, pending: 4 });
  });

  it('counts the running batches as aborted when the execution is stopped', () => {
    const progress = mapRun(8, 2);
    progress.batchSettled('succeeded', 2);

    progress.executionEnded('ABORTED', later);

    expect(progress.status).toBe('ABORTED');
    expect(progress.executionCounts()).toMatchObject({ succeeded: 1, running: 0, aborted: 2, pending: 1 });
    expect(progress.itemCounts()).toMatchObject({ succeeded: 2, running: 0, aborted: 4, pending: 2 });
  });

  it('counts results written only once the ResultWriter has written them', () => {
    const progress = mapRun(4, 2);
    progress.batchSettled('succeeded', 2);
    progress.batchSettled('succeeded', 2);
    const beforeWriter = progress.itemCounts().resultsWritten;
    const statusBeforeWriter = progress.status;

    progress.resultsWrittenAt(later);

    expect(beforeWriter).toBe(0);
    expect(statusBeforeWriter).toBe('RUNNING');
    expect(progress.itemCounts().resultsWritten).toBe(4);
    expect(progress.executionCounts().resultsWritten).toBe(2);
  });

  it('starts over on a redrive, counting it', () => {
    const progress = mapRun(8, 2);
    progress.batchSettled('failed', 2);
    progress.executionEnded('FAILED', at);

    progress.redrive({ items: 8, batchSize: 2, at: later });

    expect(progress).toMatchObject({ status: 'RUNNING', redriveCount: 1, redriveDate: later, startDate: at });
    expect(progress.stopDate).toBeUndefined();
    expect(progress.itemCounts()).toMatchObject({ failed: 0, running: 4, pending: 4 });
  });
});
