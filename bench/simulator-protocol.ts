/** Messages between the benchmark and its simulator child process (simulator-child.ts). */
import type { CounterSnapshot } from '../simulator/index.ts';

/** The generated fleet as the benchmark needs it: the ground truth and the shape the bound is computed from. */
export interface FleetShape {
  endpoint: string;
  /** endpoints, central credentials and region for SDK clients */
  env: Record<string, string>;
  centralAccountId: string;
  regions: string[];
  optInRegions: string[];
  accounts: {
    id: string;
    state: string;
    hasRole: boolean;
    enabledRegions: string[];
    functionsByRegion: Record<string, number>;
  }[];
  /** functions a complete inventory finds */
  reachableFunctions: number;
}

export type ChildRequest =
  | { id: number; type: 'snapshot' }
  /** zero the counters and drop the captured bodies */
  | { id: number; type: 'reset' }
  | { id: number; type: 'capture'; on: boolean }
  /** write the captured JSON bodies, one per line, and drop them */
  | { id: number; type: 'dump'; path: string }
  | { id: number; type: 'close' };

export type ChildReply =
  | { id: 0; type: 'ready'; shape: FleetShape }
  | { id: number; type: 'snapshot'; counters: CounterSnapshot }
  | { id: number; type: 'dumped'; count: number; bytes: number }
  | { id: number; type: 'done' }
  | { id: number; type: 'error'; message: string };
