// `npm ci` and `npm install` run this (the `prepare` script): the workflow of `npm start`'s configuration
// is rendered into the definition cache (node_modules/.cache/lambda-inventory, local/definition-cache.ts),
// so the first `npm start` on a fresh clone does not synthesize the CDK app. It only saves time: a
// failure is reported and the install goes on (the first local run then renders the workflow itself).
import { resolveConfig } from '../cli/run-config.ts';
import { warmUpWorkflow } from '../local/render-definition.ts';
import { DEFAULT_REGIONS } from '../shared/contracts.ts';

try {
  // `run --local --simulate` without flags, as `npm start`; the regions do not shape the definition
  await warmUpWorkflow(await resolveConfig({}, { regions: [...DEFAULT_REGIONS], optInRegions: [] }));
} catch (error) {
  console.warn(
    `lambda-inventory: the workflow definition was not cached ahead (${(error as Error).message})`,
  );
}
