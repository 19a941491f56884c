import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { describe, expect, it, vi } from 'vitest';
import * as simulate from '../../cli/commands/simulate.ts';
import { organizationsClient } from '../../functions/shared/clients.ts';
import { DEFAULT_SPEC, generateFleet } from '../../simulator/index.ts';
import { captureIo } from './support.ts';

describe('lambda-inventory simulate', () => {
  it('prints the --endpoint-url form for AWS CLI versions that ignore per-service endpoint variables', async () => {
    // Prepare
    const captured = captureIo();
    let stop: () => void = () => undefined;
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });

    // Act
    const exitCode = simulate.execute(simulate.parse(['--port', '0']), captured.io, until);
    await vi.waitFor(() => expect(captured.stdout()).toContain('Press Ctrl-C to stop.'));
    const printed = captured.stdout();
    const endpoint = /^fleet simulator listening on (\S+)$/m.exec(printed)?.[1] ?? '';
    const exported = Object.fromEntries(
      [...printed.matchAll(/^ {2}export (\w+)=(\S+)$/gm)].map(([, name, value]) => [name, value]),
    );
    const flagged = /^ {2}aws organizations list-accounts --endpoint-url (\S+)$/m.exec(printed)?.[1];
    const { Accounts } = await organizationsClient(
      {
        accessKeyId: exported.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: exported.AWS_SECRET_ACCESS_KEY ?? '',
      },
      { endpoint: flagged },
    ).send(new ListAccountsCommand({}));
    stop();

    // Assess
    expect(printed).toMatch(/AWS CLI versions before 2\.13 .*ignore AWS_ENDPOINT_URL_<SERVICE>/);
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(flagged).toBe(endpoint);
    expect((Accounts ?? []).map((account) => account.Id).sort()).toEqual(
      generateFleet(DEFAULT_SPEC)
        .accounts.map((account) => account.id)
        .sort(),
    );
    expect(await exitCode).toBe(0);
  });
});
