/**
 * The runtimes the generator draws from, grouped by where they stand on 2026-11-28 according to the
 * AWS "Lambda runtimes" lifecycle table (see shared/aws-facts.md). The grouping only steers the mix;
 * the product classifies runtimes with its own data, which is what the tests check.
 */
export type RuntimeCategory = 'supported' | 'deprecatingSoon' | 'deprecated' | 'unknown' | 'image';

export const RUNTIME_CATEGORIES: readonly RuntimeCategory[] = [
  'supported',
  'deprecatingSoon',
  'deprecated',
  'unknown',
  'image',
];

export const RUNTIMES: Readonly<Record<Exclude<RuntimeCategory, 'image'>, readonly string[]>> = {
  // deprecation 2028 or later
  supported: [
    'nodejs24.x',
    'python3.12',
    'python3.13',
    'python3.14',
    'java21',
    'java25',
    'provided.al2023',
    'dotnet10',
    'ruby3.4',
  ],
  // deprecation between 2027-03 and 2027-06: within months of today
  deprecatingSoon: ['nodejs22.x', 'ruby3.3', 'python3.11', 'java17', 'java11'],
  // dotnet8 (2026-11-10) and python3.10 (2026-10-31) went out only weeks ago
  deprecated: [
    'nodejs16.x',
    'nodejs18.x',
    'nodejs20.x',
    'python3.8',
    'python3.9',
    'python3.10',
    'go1.x',
    'java8',
    'provided.al2',
    'dotnet6',
    'dotnet8',
    'ruby3.2',
  ],
  // names no lifecycle table knows yet
  unknown: ['nodejs26.x', 'python3.15'],
};

/** The handler string a function of that runtime typically has. */
export function handlerFor(runtime: string): string {
  if (runtime.startsWith('nodejs')) return 'index.handler';
  if (runtime.startsWith('python')) return 'app.lambda_handler';
  if (runtime.startsWith('java')) return 'com.example.Handler::handleRequest';
  if (runtime.startsWith('dotnet')) return 'Function::Function.Handler::FunctionHandler';
  if (runtime.startsWith('ruby')) return 'function.handler';
  if (runtime === 'go1.x') return 'main';
  return 'bootstrap';
}
