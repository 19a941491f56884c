/**
 * Installs a packed tarball into an empty folder without the network. The npm cache holds every
 * dependency's tarball (`npm ci` of this repository put them there) but not the registry metadata that
 * `npm install <tarball>` needs to resolve version ranges. A lock file that names each tarball, taken
 * from this repository's own lock (the versions the tests run against), makes `npm ci --offline` work.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);

const REGISTRY = 'https://registry.npmjs.org';

interface LockEntry {
  version?: string;
  name?: string;
  resolved?: string;
  dev?: boolean;
  [field: string]: unknown;
}

interface Manifest {
  name: string;
  version: string;
  license?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/**
 * The environment of the npm and CLI processes: the caller's, less what `npm test` adds for its own
 * scripts (npm_config_*, npm_package_*), which would point the nested npm at this repository.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('npm_') || name === 'npm_config_cache'),
  );
}

export async function installOffline(repository: string, tarball: string, folder: string): Promise<void> {
  const manifest = JSON.parse(await readFile(join(repository, 'package.json'), 'utf8')) as Manifest;
  const lock = JSON.parse(await readFile(join(repository, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'package-test', dependencies: { [manifest.name]: spec } },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: spec,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev) continue;
    // this repository's lock omits registry URLs (omit-lockfile-registry-resolved); offline npm needs them
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[path] = { resolved: `${REGISTRY}/${name}/-/${basename(name)}-${entry.version}.tgz`, ...entry };
  }
  await writeFile(
    join(folder, 'package.json'),
    JSON.stringify({ name: 'package-test', private: true, dependencies: { [manifest.name]: spec } }),
  );
  await writeFile(
    join(folder, 'package-lock.json'),
    JSON.stringify({ name: 'package-test', lockfileVersion: 3, requires: true, packages }),
  );
  await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: folder,
    env: cleanEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
}
