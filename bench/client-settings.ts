/**
 * What a per-target Lambda client costs to build and to resolve the settings it reads from the
 * environment (FIPS and dual-stack endpoints, user agent app id, auth scheme preference, defaults
 * mode), for the 3,400 targets of the goals fleet: a plain LambdaClient per target against
 * `lambdaClient()` (functions/shared/clients.ts), which reads those settings once for the process.
 * No request is sent.
 *
 *   npx tsx bench/client-settings.ts [--targets 3400] [--runs 3]
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaClient } from '../functions/shared/clients.ts';
import { BenchUsage } from './args.ts';

const CREDENTIALS = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' };

async function cpuMsOf(targets: number, make: () => LambdaClient): Promise<number> {
  const before = process.cpuUsage();
  for (let target = 0; target < targets; target += 1) {
    const { config } = make();
    await config.useFipsEndpoint();
    await config.useDualstackEndpoint();
    await config.userAgentAppId();
    await config.authSchemePreference?.();
    if (typeof config.defaultsMode === 'function') await config.defaultsMode();
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const usage: BenchUsage = new BenchUsage('  npx tsx bench/client-settings.ts [--targets 3400] [--runs 3]');
const { values } = usage.parse({
  options: { targets: { type: 'string', default: '3400' }, runs: { type: 'string', default: '3' } },
});
const targets = usage.wholeNumber('targets', values.targets, 1);
const runs = usage.wholeNumber('runs', values.runs, 1);
for (let run = 1; run <= runs; run += 1) {
  const plain = await cpuMsOf(
    targets,
    () => new LambdaClient({ region: 'eu-west-1', credentials: CREDENTIALS }),
  );
  const shared = await cpuMsOf(targets, () => lambdaClient('eu-west-1', CREDENTIALS));
  console.log(
    `run ${run}: ${targets} clients: a LambdaClient each ${plain.toFixed(0)} ms CPU, lambdaClient() ${shared.toFixed(0)} ms CPU`,
  );
}
