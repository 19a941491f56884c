/** Where the CLI writes and how it ends: shared by main and every command. */

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
}

/** 0 ok; 1 the run failed or is incomplete; 2 bad usage or input. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
