/**
 * Bytes handed from one task to another in the same thread, with bounded memory: `push` waits while
 * the reader is `limit` chunks behind. The reader iterates it once; when it stops early (it failed, or
 * needs no more), pushes no longer wait and their chunks are dropped, so the writer is never held up
 * by a reader that is gone.
 */
export class ByteChannel implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private failure: Error | undefined;
  private readerGone = false;
  private wakeReader: (() => void) | undefined;
  private readonly wakeWriters: (() => void)[] = [];

  /** `limit`: chunks kept for the reader before `push` waits. */
  constructor(private readonly limit = 4) {}

  /** Hands `chunk` to the reader; resolves once the reader is fewer than `limit` chunks behind. */
  async push(chunk: Uint8Array | string): Promise<void> {
    if (this.readerGone) return;
    if (this.ended || this.failure) throw new Error('push after the channel was ended');
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    this.wake();
    while (this.chunks.length > this.limit && !this.readerGone) {
      await new Promise<void>((resolve) => this.wakeWriters.push(resolve));
    }
  }

  /** No more chunks: the reader's iteration ends after the ones it has not read yet. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** No reader will come: pushes return at once, and their chunks are dropped. */
  discard(): void {
    this.readerGone = true;
    this.chunks.length = 0;
    this.releaseWriters();
  }

  /** The writer failed: the reader's iteration throws `error` after the chunks it has not read yet. */
  fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const chunk = this.chunks.shift();
        if (chunk) {
          this.releaseWriters();
          yield chunk;
        } else if (this.failure) throw this.failure;
        else if (this.ended) return;
        else await new Promise<void>((resolve) => (this.wakeReader = resolve));
      }
    } finally {
      this.readerGone = true;
      this.chunks.length = 0;
      this.releaseWriters();
    }
  }

  private wake(): void {
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
  }

  private releaseWriters(): void {
    if (this.chunks.length > this.limit && !this.readerGone) return;
    for (const resolve of this.wakeWriters.splice(0)) resolve();
  }
}
