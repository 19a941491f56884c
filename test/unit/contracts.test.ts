import { describe, expect, it } from 'vitest';
import { PlanSettings, parseOrThrow, RunInput, ValidationError } from '../../shared/contracts.ts';

describe('contract errors name the field', () => {
  it.each([
    [RunInput, { accounts: ['12345'] }, 'accounts.0: must be a 12-digit AWS account id, or { "id"'],
    [
      RunInput,
      { accounts: [{ id: '123456789012', nickname: 'x' }] },
      'accounts.0: Unrecognized key: "nickname"',
    ],
    [RunInput, { regions: ['eu-west-1', 'moon-1'] }, 'regions.1: must be an AWS region code'],
    [RunInput, { runId: 'has space' }, 'runId: must be 1-48 characters'],
    [RunInput, { targets: [] }, '(root): Unrecognized key: "targets"'],
    [
      PlanSettings,
      { targets: { source: 'accounts', accounts: [] }, regions: ['eu-west-1'] },
      'targets.accounts: Too small',
    ],
    [
      PlanSettings,
      { targets: { source: 'organization' }, regions: ['eu-west-1', 'eu-west-1'] },
      'regions: regions must not repeat',
    ],
    [
      PlanSettings,
      { targets: { source: 'organization' }, regions: ['eu-west-1'], batchSize: 500 },
      'batchSize: Too big',
    ],
  ])('rejects bad input %#, naming the field', (schema, value, message) => {
    expect(() => parseOrThrow(schema, value, 'input')).toThrow(ValidationError);
    expect(() => parseOrThrow(schema, value, 'input')).toThrow(`input: ${message}`);
  });

  it('accepts account ids as plain strings or with a name', () => {
    expect(
      RunInput.parse({ accounts: ['123456789012', { id: '210987654321', name: 'prod' }] }).accounts,
    ).toEqual([{ id: '123456789012' }, { id: '210987654321', name: 'prod' }]);
  });
});
