/**
 * Why batches failed, from the Distributed Map's ResultWriter output (manifest.json and its FAILED_*.json
 * files). A failed batch leaves no partial, so its targets are `not-scanned`; this adds the child
 * execution's Error and Cause to them. It only annotates: when the files are missing or unreadable the
 * report is still right (the targets stay `not-scanned`), so that is logged, not thrown.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { AccountId, formatIssues, Region } from '../../shared/contracts.ts';
import * as z from '../../shared/zod.ts';
import { getJson, ObjectNotFoundError, type ObjectStore } from '../shared/object-store.ts';
import { type BatchFailure, targetId } from './report-builder.ts';

/** The Map state's own output (ResultPath `$.map`) when it wrote results. */
const MapOutput = z.object({
  ResultWriterDetails: z.object({
    Bucket: z.string().check(z.minLength(1)),
    Key: z.string().check(z.minLength(1)),
  }),
});

const Manifest = z.object({
  ResultFiles: z.object({
    FAILED: z._default(z.array(z.object({ Key: z.string().check(z.minLength(1)) })), []),
  }),
});

const ChildExecution = z.object({
  Input: z.string(),
  Error: z.optional(z.string()),
  Cause: z.optional(z.string()),
});

const BatchItems = z.object({
  Items: z.array(z.object({ accountId: AccountId, region: Region })),
});

/** Lambda reports a thrown error as JSON in Cause; its message is what a reader of the report needs. */
export function causeMessage(cause: string | undefined): string | null {
  if (cause === undefined || cause === '') return null;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      const message = (parsed as { errorMessage: unknown }).errorMessage;
      if (typeof message === 'string') return message;
    }
  } catch {
    // not JSON: the cause is already plain text
  }
  return cause;
}

/** The failures in one FAILED_*.json file, by target. */
export function failuresFromResultFile(
  entries: unknown,
  logger: Logger,
  key: string,
): Map<string, BatchFailure> {
  const failures = new Map<string, BatchFailure>();
  const list = z.array(z.unknown()).safeParse(entries);
  if (!list.success) {
    logger.warn('map result file is not a JSON array; its failures are not attributed', { key });
    return failures;
  }
  for (const [index, entry] of list.data.entries()) {
    const execution = ChildExecution.safeParse(entry);
    const batch = execution.success ? BatchItems.safeParse(parseJson(execution.data.Input)) : undefined;
    if (!execution.success || !batch?.success) {
      const issues = !execution.success ? execution.error : batch?.error;
      logger.warn('map result entry names no targets; its failure is not attributed', {
        key,
        index,
        issues: issues ? formatIssues(issues) : undefined,
      });
      continue;
    }
    const failure: BatchFailure = {
      errorCode: execution.data.Error ?? null,
      message: causeMessage(execution.data.Cause),
    };
    for (const item of batch.data.Items) failures.set(targetId(item), failure);
  }
  return failures;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Reads the failed batches named by the Map's ResultWriter output; an empty map when there are none to read. */
export async function readBatchFailures(
  storeFor: (bucket: string) => ObjectStore,
  map: unknown,
  logger: Logger,
): Promise<Map<string, BatchFailure>> {
  const failures = new Map<string, BatchFailure>();
  const output = MapOutput.safeParse(map);
  if (!output.success) return failures;
  const { Bucket, Key } = output.data.ResultWriterDetails;
  const store = storeFor(Bucket);

  const manifestJson = await readJson(store, Key, logger);
  if (manifestJson === undefined) return failures;
  const manifest = Manifest.safeParse(manifestJson);
  if (!manifest.success) {
    logger.warn(
      'map result manifest has an unexpected shape; failed batches are reported without their errors',
      {
        key: Key,
        issues: formatIssues(manifest.error),
      },
    );
    return failures;
  }
  for (const file of manifest.data.ResultFiles.FAILED) {
    const entries = await readJson(store, file.Key, logger);
    if (entries === undefined) continue;
    for (const [target, failure] of failuresFromResultFile(entries, logger, file.Key))
      failures.set(target, failure);
  }
  return failures;
}

/** The object's JSON, or undefined when it is missing or not JSON (logged); store failures are thrown. */
async function readJson(store: ObjectStore, key: string, logger: Logger): Promise<unknown> {
  try {
    return await getJson(store, key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError || error instanceof SyntaxError) {
      // failed batches are then reported without their errors: still not-scanned, still correct
      logger.warn('map result file missing or not JSON', { key, error: (error as Error).message });
      return undefined;
    }
    throw error;
  }
}
