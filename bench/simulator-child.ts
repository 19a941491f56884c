/**
 * Child-process entry of the benchmark's fleet simulator: the simulator must not share the CPU time
 * of the process being measured. Started by simulator-process.ts with the fleet spec as argv[2]; it
 * answers the parent's requests over the IPC channel.
 *
 * It also keeps the JSON bodies the simulator sends (while capture is on), so the benchmark can time
 * JSON.parse over exactly the bytes a run received (the CPU floor of the bound). It does so by
 * wrapping ServerResponse#end in this process only: the simulator's own code is untouched.
 */

import { writeFile } from 'node:fs/promises';
import { ServerResponse } from 'node:http';
import { startSimulator } from '../simulator/index.ts';
import type { ChildReply, ChildRequest, FleetShape } from './simulator-protocol.ts';

const bodies: string[] = [];
let capturing = false;

const originalEnd = ServerResponse.prototype.end;
ServerResponse.prototype.end = function end(this: ServerResponse, ...args: unknown[]) {
  const [chunk] = args;
  // the simulator ends every response with its whole body; the JSON ones (Lambda, Organizations)
  // open with a brace, STS's XML with a declaration
  if (capturing && typeof chunk === 'string' && chunk.startsWith('{')) bodies.push(chunk);
  return (originalEnd as (...a: unknown[]) => ServerResponse).apply(this, args);
} as typeof originalEnd;

const spec = JSON.parse(process.argv[2] ?? '{}');
const simulator = await startSimulator({ spec });

const shape: FleetShape = {
  endpoint: simulator.endpoint,
  env: simulator.env,
  centralAccountId: simulator.fleet.centralAccountId,
  regions: simulator.fleet.regions,
  optInRegions: simulator.fleet.optInRegions,
  accounts: simulator.fleet.accounts.map((account) => ({
    id: account.id,
    state: account.state,
    hasRole: account.hasRole,
    enabledRegions: account.enabledRegions,
    functionsByRegion: Object.fromEntries(
      Object.entries(account.functions).map(([region, list]) => [region, list.length]),
    ),
  })),
  reachableFunctions: simulator.fleet.reachableFunctions().length,
};

function reply(message: ChildReply): void {
  process.send?.(message);
}

process.on('message', (message: ChildRequest) => {
  handle(message).catch((error: unknown) =>
    reply({ id: message.id, type: 'error', message: (error as Error).message }),
  );
});

async function handle(request: ChildRequest): Promise<void> {
  switch (request.type) {
    case 'snapshot':
      reply({ id: request.id, type: 'snapshot', counters: simulator.counters.snapshot() });
      return;
    case 'reset':
      simulator.counters.reset();
      bodies.length = 0;
      reply({ id: request.id, type: 'done' });
      return;
    case 'capture':
      capturing = request.on;
      reply({ id: request.id, type: 'done' });
      return;
    case 'dump': {
      // one body per line: JSON.stringify never writes a raw newline
      await writeFile(request.path, bodies.join('\n'));
      const bytes = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0);
      reply({ id: request.id, type: 'dumped', count: bodies.length, bytes });
      bodies.length = 0;
      return;
    }
    case 'close':
      await simulator.close();
      reply({ id: request.id, type: 'done' });
      process.disconnect?.();
      return;
  }
}

// a parent that dies without closing us must not leave the simulator listening
process.on('disconnect', () => process.exit(0));

reply({ id: 0, type: 'ready', shape });
