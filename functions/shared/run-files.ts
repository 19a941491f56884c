/**
 * The files the plan writes for a run, read back: the targets it planned and the accounts it skipped
 * (reduce reads both; the local engine reads the skipped accounts for its progress). A missing or
 * malformed file is a RunDataError naming the key.
 */
import {
  formatIssues,
  type SkippedAccount,
  SkippedFile,
  type Target,
  TargetsFile,
} from '../../shared/contracts.ts';
import { RunDataError } from '../../shared/errors.ts';
import { getJson, ObjectNotFoundError, type ObjectStore } from './object-store.ts';

export async function readTargets(store: ObjectStore, key: string): Promise<Target[]> {
  const what = 'targets file';
  return checked(TargetsFile.safeParse(await readRunFile(store, key, what)), what, key);
}

export async function readSkipped(store: ObjectStore, key: string): Promise<SkippedAccount[]> {
  const what = 'skipped-accounts file';
  return checked(SkippedFile.safeParse(await readRunFile(store, key, what)), what, key);
}

async function readRunFile(store: ObjectStore, key: string, what: string): Promise<unknown> {
  try {
    return await getJson(store, key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) {
      throw new RunDataError(`${what} ${key} not found in ${store.location}: did the plan step run?`);
    }
    if (error instanceof SyntaxError) throw new RunDataError(`${what} ${key} is not JSON: ${error.message}`);
    throw error;
  }
}

type Parsed<T> = { success: true; data: T } | { success: false; error: Parameters<typeof formatIssues>[0] };

function checked<T>(parsed: Parsed<T>, what: string, key: string): T {
  if (!parsed.success) throw new RunDataError(`${what} ${key}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
