import { describe, expect, it } from 'vitest';
import { ByteChannel } from '../../functions/reduce/byte-channel.ts';

const text = (chunks: Uint8Array[]) => chunks.map((chunk) => Buffer.from(chunk).toString()).join('|');

/** Whether `promise` is still pending once everything already queued has run. */
async function pending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return !settled;
}

describe('ByteChannel', () => {
  it('hands the reader every chunk in order, strings as UTF-8, and ends after the last', async () => {
    // Prepare
    const channel = new ByteChannel(8);
    const read = (async () => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of channel) chunks.push(chunk);
      return chunks;
    })();

    // Act
    await channel.push('a');
    await channel.push(Buffer.from('b'));
    await channel.push('ü');
    channel.end();

    // Assess
    expect(text(await read)).toBe('a|b|ü');
  });

  it('holds the writer while the reader is more than the limit behind, and lets it go as the reader reads', async () => {
    // Prepare
    const channel = new ByteChannel(2);
    await channel.push('1');
    await channel.push('2');

    // Act
    const third = channel.push('3');

    // Assess
    expect(await pending(third)).toBe(true);
    const reader = channel[Symbol.asyncIterator]();
    expect(text([(await reader.next()).value as Uint8Array])).toBe('1');
    await third;
    expect(await pending(channel.push('4'))).toBe(true);
  });

  it('stops holding the writer, and drops its chunks, once the reader has stopped', async () => {
    // Prepare
    const channel = new ByteChannel(1);
    const reader = channel[Symbol.asyncIterator]();
    await channel.push('1');
    await reader.next();
    await channel.push('2');
    const held = channel.push('3');
    expect(await pending(held)).toBe(true);

    // Act
    await reader.return(undefined);

    // Assess
    await held;
    for (let i = 0; i < 10; i += 1) await channel.push('more');
  });

  it('lets the writer go when no reader will come', async () => {
    // Prepare
    const channel = new ByteChannel(1);
    await channel.push('1');
    const held = channel.push('2');

    // Act
    channel.discard();

    // Assess
    await held;
    await channel.push('3');
  });

  it("gives the reader the chunks written before the writer's failure, then the failure", async () => {
    // Prepare
    const channel = new ByteChannel(4);
    await channel.push('1');
    await channel.push('2');

    // Act
    channel.fail(new Error('upload failed'));

    // Assess
    const chunks: Uint8Array[] = [];
    const reading = (async () => {
      for await (const chunk of channel) chunks.push(chunk);
    })();
    await expect(reading).rejects.toThrow('upload failed');
    expect(text(chunks)).toBe('1|2');
    await expect(channel.push('3')).resolves.toBeUndefined();
  });

  it('refuses a chunk after the end', async () => {
    // Prepare
    const channel = new ByteChannel();
    channel.end();

    // Act
    const pushing = channel.push('late');

    // Assess
    await expect(pushing).rejects.toThrow('push after the channel was ended');
  });
});
