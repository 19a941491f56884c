/**
 * The fleet simulator in a child process, so that the process being measured spends no CPU on it.
 * Counters and the ground truth come back over IPC.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CounterSnapshot, FleetSpec } from '../simulator/index.ts';
import type { ChildReply, ChildRequest, FleetShape } from './simulator-protocol.ts';

const CHILD_ENTRY = fileURLToPath(new URL('./simulator-child.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

export class SimulatorProcess {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve(reply: ChildReply): void; reject(error: Error): void }
  >();
  private exited: Error | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly shape: FleetShape,
  ) {
    child.on('message', (reply: ChildReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.type === 'error') waiter.reject(new Error(`simulator child: ${reply.message}`));
      else waiter.resolve(reply);
    });
    child.on('exit', (code, signal) => {
      this.exited = new Error(`simulator child exited (code ${code}, signal ${signal})`);
      for (const waiter of this.pending.values()) waiter.reject(this.exited);
      this.pending.clear();
    });
  }

  /** Starts the child with `spec` and waits for the fleet it generated. */
  static async start(spec: FleetSpec): Promise<SimulatorProcess> {
    const child = fork(CHILD_ENTRY, [JSON.stringify(spec)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const shape = await new Promise<FleetShape>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the simulator child did not start in time')),
        START_TIMEOUT_MS,
      );
      child.once('message', (reply: ChildReply) => {
        clearTimeout(timer);
        if (reply.type === 'ready') resolve(reply.shape);
        else reject(new Error(`simulator child: unexpected first message ${reply.type}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the simulator child exited with code ${code} before it was ready`));
      });
    });
    return new SimulatorProcess(child, shape);
  }

  async counters(): Promise<CounterSnapshot> {
    const reply = await this.request({ type: 'snapshot' });
    if (reply.type !== 'snapshot') throw new Error(`simulator child: expected a snapshot, got ${reply.type}`);
    return reply.counters;
  }

  async reset(): Promise<void> {
    await this.request({ type: 'reset' });
  }

  async capture(on: boolean): Promise<void> {
    await this.request({ type: 'capture', on });
  }

  /** Writes the captured JSON response bodies to `path`, one per line. */
  async dumpBodies(path: string): Promise<{ count: number; bytes: number }> {
    const reply = await this.request({ type: 'dump', path });
    if (reply.type !== 'dumped') throw new Error(`simulator child: expected dumped, got ${reply.type}`);
    return { count: reply.count, bytes: reply.bytes };
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.request({ type: 'close' }).catch(() => undefined);
    await exited;
  }

  private request(message: Distribute<ChildRequest>): Promise<ChildReply> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...message, id } as ChildRequest);
    });
  }
}
