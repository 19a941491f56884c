/**
 * The plan's files of a run, as reduce reads them: the targets it planned and the accounts it
 * skipped. A missing or malformed file is a RunDataError naming the key.
 */

import {
  formatIssues,
  type SkippedAccount,
  SkippedFile,
  type Target,
  TargetsFile,
} from '../../shared/contracts.ts';
import { RunDataError } from '../../shared/errors.ts';
import * as z from '../../shared/zod.ts';
import { getJson, ObjectNotFoundError, type ObjectStore } from '../shared/object-store.ts';

export function readTargets(store: ObjectStore, key: string): Promise<Target[]> {
  return readRunFile(store, key, TargetsFile, 'targets file');
}

export function readSkipped(store: ObjectStore, key: string): Promise<SkippedAccount[]> {
  return readRunFile(store, key, SkippedFile, 'skipped-accounts file');
}

async function readRunFile<S extends z.core.$ZodType>(
  store: ObjectStore,
  key: string,
  schema: S,
  what: string,
): Promise<z.output<S>> {
  let json: unknown;
  try {
    json = await getJson(store, key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) {
      throw new RunDataError(`${what} ${key} not found in ${store.location}: did the plan step run?`);
    }
    if (error instanceof SyntaxError) throw new RunDataError(`${what} ${key} is not JSON: ${error.message}`);
    throw error;
  }
  const parsed = z.safeParse(schema, json);
  if (!parsed.success) throw new RunDataError(`${what} ${key}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
