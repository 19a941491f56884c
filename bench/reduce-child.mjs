// One reduce in a fresh Node process with no TypeScript loader, as the Lambda function runs it: the
// reduce bundled by bench/reduce-bundle.ts, on a run in a local folder. Prints the timing and peak
// memory as one JSON line.
//   node bench/reduce-child.mjs <request JSON>
// request: { bundle, dir, plan, compress, threads, concurrency, copyFrom? }. With copyFrom, the run's
// partials are first copied from that folder into dir (emptied), so every reduce starts from the same
// files; without, reduce runs in dir as it is.
import { cp, rm } from 'node:fs/promises';

const request = JSON.parse(process.argv[2]);
const { reduceRun, FolderObjectStore } = await import(request.bundle);
if (request.copyFrom) {
  await rm(request.dir, { recursive: true, force: true });
  await cp(`${request.copyFrom}/runs`, `${request.dir}/runs`, { recursive: true });
}
const store = new FolderObjectStore(request.dir);
const logger = {
  createChild: () => logger,
  appendKeys() {},
  addContext() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};
const started = performance.now();
const cpu = process.cpuUsage();
await reduceRun(
  {
    storeFor: () => store,
    concurrency: request.concurrency,
    compress: request.compress,
    digestThreads: request.threads,
    logger,
  },
  { plan: request.plan },
);
const used = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    // maxRSS is in kilobytes
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
