/** Reads a fleet spec named by a flag; a missing or invalid file is bad input (exit 2) naming the flag. */
import { type FleetSpec, loadSpec } from '../simulator/index.ts';
import { UsageError } from './usage-error.ts';

export async function loadSpecFlag(flag: string, path: string | undefined): Promise<FleetSpec | undefined> {
  if (path === undefined) return undefined;
  try {
    return await loadSpec(path);
  } catch (error) {
    throw new UsageError(`${flag} ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
}
