/**
 * The credential chain of code running in Lambda, put in place of the SDK's default chain
 * (`@aws-sdk/credential-provider-node`) when a function is bundled (infra/bundling/bundle-function.mjs).
 * The default chain also reads profiles, SSO, web identity and instance metadata, with two nested
 * STS and SSO clients for them: about 100 KB of every function's bundle, for sources Lambda never
 * offers. Lambda hands a function its execution role's credentials in the environment; the
 * container credentials endpoint, which the default chain tries next, stays behind it. Local runs
 * and the CLI never load this: they keep the SDK's default chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { type FromHttpOptions, fromHttp } from '@aws-sdk/credential-provider-http';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Logger } from '@aws-sdk/types';
import { CredentialsProviderError, chain, memoize } from '@smithy/core/config';

/** Credentials are fetched again this long before they expire, as the default chain does. */
const REFRESH_MARGIN_MS = 300_000;

export const NO_LAMBDA_CREDENTIALS =
  'no credentials in the Lambda environment: neither AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
  'nor a container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI)';

/** The part of the default chain's options this chain reads. */
export type LambdaProviderInit = FromHttpOptions & { logger?: Logger };

/** `defaultProvider` of `@aws-sdk/credential-provider-node`, as the SDK's clients call it. */
export const defaultProvider = (init: LambdaProviderInit = {}): AwsCredentialIdentityProvider =>
  memoize(
    chain<AwsCredentialIdentity>(
      fromEnv(init),
      // fromHttp throws as it is created when no endpoint is set: create it only when asked
      async () => fromHttp(init)(),
      async () => {
        throw new CredentialsProviderError(NO_LAMBDA_CREDENTIALS, {
          tryNextLink: false,
          logger: init.logger,
        });
      },
    ),
    (credentials) =>
      credentials.expiration !== undefined &&
      credentials.expiration.getTime() - Date.now() < REFRESH_MARGIN_MS,
    (credentials) => credentials.expiration !== undefined,
  );
