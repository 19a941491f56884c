/**
 * The rendered workflow kept on disk between runs, so that a local run never synthesizes the CDK app
 * (seconds of CPU, most of it aws-cdk-lib's template validation) unless what shapes the definition
 * changed. An entry is keyed by:
 * - the configuration fields that shape the definition (the Map's MaxConcurrency and tolerated
 *   failures; test/local/definition-cache.test.ts proves that the other fields do not),
 * - the package's version and aws-cdk-lib's,
 * - a hash of the code that builds the definition (infra/, statemachine/, shared/), so that an edit
 *   in a checkout is never hidden by an entry of the same version.
 *
 * Entries are written atomically (a temporary file renamed over the entry) and carry a checksum: a
 * stale, truncated or edited entry reads as a miss and is rendered again. The cache is an
 * optimisation only: a folder that cannot be read or written never fails a run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InventoryConfig } from '../shared/config.ts';
import * as z from '../shared/zod.ts';
import type { CfnTemplate } from './definition-from-template.ts';

/** What a synth yields for one configuration, reduced to what rendering needs; the bucket label is filled in per run. */
export interface SynthesizedWorkflow {
  /** The state machines (with their definition properties) and the functions of the template. */
  template: CfnTemplate;
  bucketLogicalId: string;
  functionLogicalIds: { plan: string; worker: string; reduce: string };
}

/** Bumped when the entry's layout changes: older entries then read as misses. */
const ENTRY_FORMAT = 1;

/** Entries kept in the folder; the oldest go first. Each is a few kilobytes. */
const MAX_ENTRIES = 32;

const ENTRY_PREFIX = 'workflow-';

const SynthesizedWorkflowShape = z.object({
  template: z.object({
    Resources: z.record(
      z.string(),
      z.object({ Type: z.string(), Properties: z.optional(z.record(z.string(), z.unknown())) }),
    ),
  }),
  bucketLogicalId: z.string(),
  functionLogicalIds: z.object({ plan: z.string(), worker: z.string(), reduce: z.string() }),
});

const CacheEntry = z.object({
  format: z.literal(ENTRY_FORMAT),
  key: z.string(),
  /** sha256 of the workflow's JSON: an entry edited or damaged in place is not trusted. */
  checksum: z.string(),
  workflow: z.unknown(),
});

/** The configuration fields that shape the rendered definition. */
export function definitionShapingFields(config: InventoryConfig) {
  return {
    maxConcurrency: config.map.maxConcurrency,
    toleratedFailurePercentage: config.map.toleratedFailurePercentage,
  };
}

/** The cache key of the definition `config` renders to with this code: a sha256 in hex. */
export function definitionCacheKey(config: InventoryConfig): string {
  const parts = { format: ENTRY_FORMAT, code: codeFingerprint(), config: definitionShapingFields(config) };
  return sha256(JSON.stringify(parts));
}

/** The entry for `key`, or undefined when there is none, or it is stale or damaged (it is then rendered again). */
export async function readCachedWorkflow(dir: string, key: string): Promise<SynthesizedWorkflow | undefined> {
  let text: string;
  try {
    text = await readFile(entryPath(dir, key), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const entry = CacheEntry.parse(JSON.parse(text));
    if (entry.key !== key || entry.checksum !== sha256(JSON.stringify(entry.workflow))) return undefined;
    const workflow = SynthesizedWorkflowShape.safeParse(entry.workflow);
    return workflow.success ? (workflow.data as SynthesizedWorkflow) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the entry for `key` atomically (readers see the old entry, no entry, or the whole new one),
 * then drops the oldest entries beyond MAX_ENTRIES. Returns false, writing nothing, when the folder
 * cannot be written.
 */
export async function writeCachedWorkflow(
  dir: string,
  key: string,
  workflow: SynthesizedWorkflow,
): Promise<boolean> {
  const entry = { format: ENTRY_FORMAT, key, checksum: sha256(JSON.stringify(workflow)), workflow };
  const path = entryPath(dir, key);
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temporary, JSON.stringify(entry));
    await rename(temporary, path);
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
    return false;
  }
  await pruneEntries(dir).catch(() => undefined);
  return true;
}

async function pruneEntries(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter(
    (name) => name.startsWith(ENTRY_PREFIX) && name.endsWith('.json'),
  );
  if (names.length <= MAX_ENTRIES) return;
  const aged = await Promise.all(
    names.map(async (name) => ({ name, mtime: (await stat(join(dir, name))).mtimeMs })),
  );
  aged.sort((a, b) => a.mtime - b.mtime);
  for (const { name } of aged.slice(0, aged.length - MAX_ENTRIES)) await rm(join(dir, name), { force: true });
}

function entryPath(dir: string, key: string): string {
  return join(dir, `${ENTRY_PREFIX}${key}.json`);
}

const PACKAGE_NAME = 'lambda-inventory';

/** This module's folder: `local/` in a checkout, `dist/local/` in the package. */
const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * Where entries go: beside the package's dependencies (`node_modules/.cache/lambda-inventory`, where
 * build tools keep theirs) when it has a node_modules folder, else the user's cache folder.
 */
export function defaultCacheDir(): string {
  const root = packageRoot();
  if (root && existsSync(join(root, 'node_modules')))
    return join(root, 'node_modules', '.cache', PACKAGE_NAME);
  return join(userCacheDir(), PACKAGE_NAME);
}

function userCacheDir(): string {
  const home = homedir();
  if (platform() === 'win32') return process.env.LOCALAPPDATA ?? join(home, 'AppData', 'Local');
  if (platform() === 'darwin') return join(home, 'Library', 'Caches');
  return process.env.XDG_CACHE_HOME || join(home, '.cache');
}

let fingerprint: string | undefined;

/**
 * The version of this package and of aws-cdk-lib, and a hash of every file of the folders the
 * definition is built from (sources in a checkout, compiled files in the package): about 30 small
 * files, read once per process.
 */
function codeFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash('sha256');
  const root = packageRoot();
  hash.update(`${PACKAGE_NAME}@${root ? readVersion(join(root, 'package.json')) : 'unknown'}\n`);
  hash.update(`aws-cdk-lib@${cdkVersion()}\n`);
  for (const folder of ['infra', 'statemachine', 'shared']) {
    const base = join(HERE, '..', folder);
    for (const file of filesUnder(base)) {
      hash.update(`${folder}/${file}\n`);
      hash.update(readFileSync(join(base, file)));
    }
  }
  fingerprint = hash.digest('hex');
  return fingerprint;
}

/** Relative paths of the files under `base`, sorted so that the hash does not depend on the listing's order. */
function filesUnder(base: string): string[] {
  if (!existsSync(base)) return [];
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(base.length + 1))
    .sort();
}

function cdkVersion(): string {
  try {
    return readVersion(createRequire(import.meta.url).resolve('aws-cdk-lib/package.json'));
  } catch {
    return 'missing';
  }
}

/** The nearest folder above this module whose package.json is this package's. */
function packageRoot(): string | undefined {
  for (let dir = HERE; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readManifest(manifest)?.name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function readVersion(manifest: string): string {
  return readManifest(manifest)?.version ?? 'unknown';
}

function readManifest(path: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
  } catch {
    return undefined;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
