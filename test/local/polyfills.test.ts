import { StateMachine } from 'aws-local-stepfunctions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../local/polyfills.ts';

type WithResolvers = <T>() => {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason?: unknown): void;
};
const promiseWith = Promise as PromiseConstructor & { withResolvers: WithResolvers };

describe('polyfills', () => {
  const installed = promiseWith.withResolvers;

  afterEach(() => {
    promiseWith.withResolvers = installed;
  });

  it('lets aws-local-stepfunctions run a Task state on this Node version', async () => {
    const machine = new StateMachine({
      StartAt: 'Greet',
      States: {
        Greet: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Greet', End: true },
      },
    });

    const output = await machine.run(
      { name: 'Ada' },
      {
        overrides: {
          taskResourceLocalHandlers: { Greet: async (input) => `hello ${(input as { name: string }).name}` },
        },
      },
    ).result;

    expect(output).toBe('hello Ada');
  });

  it('provides a Promise.withResolvers whose resolve and reject settle its promise', async () => {
    const resolved = promiseWith.withResolvers<number>();
    const rejected = promiseWith.withResolvers<number>();

    resolved.resolve(42);
    rejected.reject(new Error('refused'));

    await expect(resolved.promise).resolves.toBe(42);
    await expect(rejected.promise).rejects.toThrow('refused');
  });

  it('keeps an implementation that is already there', async () => {
    const native: WithResolvers = () => ({
      promise: Promise.resolve(undefined as never),
      resolve() {},
      reject() {},
    });
    promiseWith.withResolvers = native;
    vi.resetModules();

    await import('../../local/polyfills.ts');

    expect(promiseWith.withResolvers).toBe(native);
  });
});
