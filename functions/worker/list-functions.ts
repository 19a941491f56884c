/** Every page of ListFunctions in one account and region. */
import {
  type FunctionConfiguration,
  type LambdaClient,
  ListFunctionsCommand,
  type ListFunctionsCommandOutput,
} from '@aws-sdk/client-lambda';

/** The largest page ListFunctions serves. */
export const PAGE_SIZE = 50;

/** How each page request is sent: the worker paces them (pacing.ts); throttles are its business. */
export type PageSender = (
  send: () => Promise<ListFunctionsCommandOutput>,
) => Promise<ListFunctionsCommandOutput>;

/**
 * Hands each page to `onPage` as it arrives, so the caller can drop the configurations (and their
 * environment variable values) before the next page is fetched; an error `onPage` throws stops the
 * listing.
 */
export async function forEachFunctionPage(
  client: LambdaClient,
  onPage: (functions: FunctionConfiguration[]) => void,
  sendPage: PageSender = (send) => send(),
): Promise<void> {
  let marker: string | undefined;
  do {
    const command = new ListFunctionsCommand({ MaxItems: PAGE_SIZE, Marker: marker });
    const page = await sendPage(() => client.send(command));
    onPage(page.Functions ?? []);
    marker = page.NextMarker;
  } while (marker);
}
