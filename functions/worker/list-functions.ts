/** Every page of ListFunctions in one account and region (the client's SDK retries absorb throttling). */
import { type FunctionConfiguration, type LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';

/** The largest page ListFunctions serves. */
export const PAGE_SIZE = 50;

/**
 * Hands each page to `onPage` as it arrives, so the caller can drop the configurations (and their
 * environment variable values) before the next page is fetched.
 */
export async function forEachFunctionPage(
  client: LambdaClient,
  onPage: (functions: FunctionConfiguration[]) => void,
): Promise<void> {
  let marker: string | undefined;
  do {
    const page = await client.send(new ListFunctionsCommand({ MaxItems: PAGE_SIZE, Marker: marker }));
    onPage(page.Functions ?? []);
    marker = page.NextMarker;
  } while (marker);
}
