/**
 * The import rules of ARCHITECTURE.md, checked on every source file: each folder imports only the
 * project folders (and packages) its rule allows, so the layering cannot rot unnoticed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Rule {
  /** Project folders (or sub-folders) this folder may import, itself included. */
  mayImport: string[];
  /** Package name prefixes it may not import. */
  forbiddenPackages?: string[];
  why: string;
}

const CDK = ['aws-cdk-lib', 'constructs'];

const RULES: Record<string, Rule> = {
  shared: {
    mayImport: ['shared'],
    forbiddenPackages: CDK,
    why: 'the neutral module everyone imports imports none of them, and the CLI reads a config without aws-cdk-lib',
  },
  functions: {
    mayImport: ['functions', 'shared'],
    forbiddenPackages: CDK,
    why: 'Lambda code knows nothing of CDK, of the workflow definition or of where it runs',
  },
  statemachine: {
    mayImport: ['statemachine', 'shared'],
    why: 'the definition is built from the constructs it is given, never from handler code',
  },
  infra: {
    mayImport: ['infra', 'statemachine', 'shared'],
    why: 'infra wires constructs; the functions are bundled from their paths, not imported',
  },
  local: {
    mayImport: ['local', 'infra', 'statemachine', 'functions', 'shared'],
    why: 'the local engine runs the rendered definition with the real handlers',
  },
  cli: {
    mayImport: [
      'cli',
      'local',
      'shared',
      'functions/shared',
      'simulator',
      // the pure report readers and renderers reduce writes with: `report` and `diff` read runs with them
      'functions/reduce/read-inventory.ts',
      'functions/reduce/csv.ts',
      'functions/reduce/diff.ts',
      'functions/reduce/gaps.ts',
      'functions/reduce/html-report.ts',
    ],
    forbiddenPackages: CDK,
    why: 'the CLI drives the engine with the contracts, the store and the SDK clients; it starts the simulator as a tool',
  },
  simulator: {
    mayImport: ['simulator'],
    forbiddenPackages: ['@aws-sdk/', '@smithy/'],
    why: 'an independent fake of AWS, so a protocol mistake in the product cannot be cancelled out by the same one here',
  },
};

/** Tools and tests: they may import anything. */
const UNRESTRICTED = new Set(['bench', 'scripts', 'test']);
const NOT_SOURCE = new Set(['node_modules', 'dist', 'cdk.out', 'inventory-data']);
const SOURCE_FILE = /\.(ts|mts|cts)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return NOT_SOURCE.has(entry.name) ? [] : sourceFiles(path);
    return SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module specifier of a file: static imports and re-exports, side-effect and dynamic imports. */
function specifiersOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

interface Violation {
  file: string;
  specifier: string;
  why: string;
}

/** The rule's breaches by one file (`file` relative to the repository root, with `/`). */
function violationsOf(file: string, text: string): Violation[] {
  const folder = file.split('/')[0] ?? '';
  const rule = RULES[folder];
  if (!rule) return [];
  const violations: Violation[] = [];
  for (const specifier of specifiersOf(text)) {
    if (specifier.startsWith('.')) {
      const target = relative(ROOT, resolve(ROOT, dirname(file), specifier))
        .split(sep)
        .join('/');
      const allowed = rule.mayImport.some((scope) => target === scope || target.startsWith(`${scope}/`));
      if (!allowed) violations.push({ file, specifier, why: `${folder}/ imports ${target}: ${rule.why}` });
    } else if (rule.forbiddenPackages?.some((name) => specifier === name || specifier.startsWith(name))) {
      violations.push({ file, specifier, why: `${folder}/ imports the package ${specifier}: ${rule.why}` });
    }
  }
  return violations;
}

const topFolders = readdirSync(ROOT, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !NOT_SOURCE.has(entry.name))
  .map((entry) => entry.name)
  .filter((name) => sourceFiles(join(ROOT, name)).length > 0);

describe('import rules', () => {
  it('give every top-level source folder a rule, or list it as a tool', () => {
    const unruled = topFolders.filter((name) => !(name in RULES) && !UNRESTRICTED.has(name));

    expect(unruled).toEqual([]);
  });

  it.each(Object.keys(RULES))('hold for every file of %s/', (folder) => {
    const files = sourceFiles(join(ROOT, folder));

    const violations = files.flatMap((path) =>
      violationsOf(relative(ROOT, path).split(sep).join('/'), readFileSync(path, 'utf8')),
    );

    expect(files.length).toBeGreaterThan(0);
    expect(violations).toEqual([]);
  });
});

describe('the import scanner', () => {
  it('sees static, type-only, re-exported, side-effect and dynamic imports', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from './c.ts';",
      "import './d.ts';",
      "const e = await import('./e.ts');",
    ].join('\n');

    expect(specifiersOf(text)).toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts', './e.ts']);
  });

  it.each([
    {
      file: 'functions/plan/x.ts',
      text: "import { STATE } from '../../statemachine/inventory-workflow.ts';",
    },
    { file: 'functions/shared/x.ts', text: "import { Duration } from 'aws-cdk-lib';" },
    { file: 'shared/x.ts', text: "import { createLogger } from '../functions/shared/logger.ts';" },
    { file: 'cli/x.ts', text: "import { createPlanHandler } from '../functions/plan/handler.ts';" },
    { file: 'local/x.ts', text: "import { main } from '../cli/main.ts';" },
    { file: 'simulator/x.ts', text: "import { keys } from '../shared/keys.ts';" },
    { file: 'simulator/x.ts', text: "import { STSClient } from '@aws-sdk/client-sts';" },
  ])('reports $file importing what its rule forbids: $text', ({ file, text }) => {
    expect(violationsOf(file, text)).toHaveLength(1);
  });

  it.each([
    { file: 'cli/x.ts', text: "import { s3Client } from '../functions/shared/clients.ts';" },
    { file: 'local/x.ts', text: "import { createPlanHandler } from '../functions/plan/handler.ts';" },
    { file: 'infra/constructs/x.ts', text: "import { keys } from '../../shared/keys.ts';" },
  ])('lets $file import what its rule allows: $text', ({ file, text }) => {
    expect(violationsOf(file, text)).toEqual([]);
  });
});
