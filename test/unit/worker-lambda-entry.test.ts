import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { lambdaEntryPoint } from '../../functions/shared/lambda-entry.ts';

const context = {
  functionName: 'worker',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 42_000,
} as unknown as Context;

describe('lambdaEntryPoint', () => {
  it('builds the deps on the first invocation only, and hands every invocation its event and context', async () => {
    const logger = new Logger({ logLevel: 'SILENT' });
    const addContext = vi.spyOn(logger, 'addContext');
    const depsFromEnv = vi.fn(() => ({ logger }));
    const seen: { event: unknown; remaining: number | undefined }[] = [];
    const entry = lambdaEntryPoint(depsFromEnv, () => async (event: unknown, ctx?: Context) => {
      seen.push({ event, remaining: ctx?.getRemainingTimeInMillis() });
      return 'done';
    });

    expect(depsFromEnv).not.toHaveBeenCalled();
    await entry({ n: 1 }, context);
    await entry({ n: 2 });

    expect(depsFromEnv).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([
      { event: { n: 1 }, remaining: 42_000 },
      { event: { n: 2 }, remaining: undefined },
    ]);
    expect(addContext).toHaveBeenCalledTimes(1);
  });
});
