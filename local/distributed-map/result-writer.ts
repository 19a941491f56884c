/**
 * ResultWriter, as the Step Functions documentation describes its output for `Transformation: NONE`
 * and JSON: under `<Prefix>/<mapRunId>/`, one file per status (`SUCCEEDED_0.json`, `FAILED_0.json`)
 * holding every child execution's ARN, input, output or error, and dates, plus a `manifest.json`
 * listing them. Reduce reads the FAILED files to say why a batch's targets went unscanned.
 */
import type { ObjectStore } from '../../functions/shared/object-store.ts';
import { StatesError } from '../errors.ts';
import type { ChildExecution } from '../types.ts';

/** One entry of a result file. */
export interface ResultEntry {
  ExecutionArn: string;
  Input: string;
  InputDetails: { Included: true };
  Name: string;
  Output?: string;
  Error?: string;
  Cause?: string;
  Status: ChildExecution['status'];
  StartDate: string;
  StopDate: string;
}

export interface ResultFile {
  Key: string;
  Size: number;
}

export interface ResultManifest {
  DestinationBucket: string;
  MapRunArn: string;
  ResultFiles: { FAILED: ResultFile[]; PENDING: ResultFile[]; SUCCEEDED: ResultFile[] };
}

export interface ResultDestination {
  store: ObjectStore;
  bucket: string;
  prefix?: string;
}

/** Writes the result files and the manifest; returns the manifest's key. A write failure is States.ResultWriterFailed. */
export async function writeResults(
  destination: ResultDestination,
  mapRun: { id: string; arn: string },
  children: ChildExecution[],
): Promise<string> {
  const { store, bucket, prefix } = destination;
  const folder = prefix ? `${prefix.replace(/\/+$/, '')}/${mapRun.id}/` : `${mapRun.id}/`;
  const manifest: ResultManifest = {
    DestinationBucket: bucket,
    MapRunArn: mapRun.arn,
    ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [] },
  };
  const groups = {
    SUCCEEDED: children.filter((child) => child.status === 'SUCCEEDED'),
    FAILED: children.filter((child) => child.status === 'FAILED'),
  };
  try {
    for (const [status, group] of Object.entries(groups) as [keyof typeof groups, ChildExecution[]][]) {
      if (group.length === 0) continue;
      const key = `${folder}${status}_0.json`;
      const body = JSON.stringify(group.map(resultEntry));
      await store.put(key, body, 'application/json');
      manifest.ResultFiles[status].push({ Key: key, Size: Buffer.byteLength(body) });
    }
    const manifestKey = `${folder}manifest.json`;
    await store.put(manifestKey, JSON.stringify(manifest), 'application/json');
    return manifestKey;
  } catch (error) {
    throw new StatesError(
      'States.ResultWriterFailed',
      `cannot write the Map Run results to ${bucket}/${folder}: ${(error as Error).message}`,
    );
  }
}

function resultEntry(child: ChildExecution): ResultEntry {
  return {
    ExecutionArn: child.executionArn,
    Input: JSON.stringify(child.input),
    InputDetails: { Included: true },
    Name: child.name,
    ...(child.status === 'SUCCEEDED'
      ? { Output: JSON.stringify(child.output) }
      : { Error: child.error, Cause: child.cause }),
    Status: child.status,
    StartDate: child.startDate,
    StopDate: child.stopDate,
  };
}
