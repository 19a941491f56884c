/**
 * `npm ci` and `npm install` run this (the `prepare` script, through scripts/current-build.mjs): the
 * workflow of `npm start`'s configuration is rendered into the definition cache
 * (local/definition-cache.ts) by the same code `npm start` will run, so its first run on a fresh
 * clone does not synthesize the CDK app. It only saves time: a failure is reported and the install
 * goes on (the first local run then renders the workflow itself).
 */
import { DEFAULT_REGIONS } from '../shared/contracts.ts';
import { resolveConfig } from './run-config.ts';

export async function warmUpStartRun(): Promise<void> {
  try {
    const { warmUpWorkflow } = await import('../local/render-definition.ts');
    // `run --local --simulate` without flags, as `npm start`; the regions do not shape the definition
    await warmUpWorkflow(await resolveConfig({}, { regions: [...DEFAULT_REGIONS], optInRegions: [] }));
  } catch (error) {
    console.warn(
      `lambda-inventory: the workflow definition was not cached ahead (${(error as Error).message})`,
    );
  }
}
