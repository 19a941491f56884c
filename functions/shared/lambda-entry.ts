/**
 * The Lambda entry point of a handler factory: deps are built from the environment on the first call
 * (so importing a handler module needs no environment, and the local engine can use the factory
 * alone), then reused by warm invocations; the Lambda context goes into the structured logs and to
 * the handler.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

export function lambdaEntryPoint<Deps extends { logger?: Logger }, Output>(
  depsFromEnv: () => Deps,
  createHandler: (deps: Deps) => (event: unknown, context?: Context) => Promise<Output>,
): (event: unknown, context?: Context) => Promise<Output> {
  let handler: ((event: unknown, context?: Context) => Promise<Output>) | undefined;
  let logger: Logger | undefined;
  return (event, context) => {
    if (!handler) {
      const deps = depsFromEnv();
      logger = deps.logger;
      handler = createHandler(deps);
    }
    if (context) logger?.addContext(context);
    // the context goes on too: a handler may read its remaining time
    return handler(event, context);
  };
}
