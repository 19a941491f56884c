import { describe, expect, it } from 'vitest';
import { findRoleGaps, gapsCsv, stackSetCommand } from '../../functions/reduce/gaps.ts';
import { ACCOUNT_A, ACCOUNT_B, ACCOUNT_C, ACCOUNT_D, coverageEntry, deniedEntry } from './report-fixtures.ts';

const coverage = [
  // A: scanned everywhere
  coverageEntry({ accountId: ACCOUNT_A, region: 'eu-west-1' }),
  coverageEntry({ accountId: ACCOUNT_A, region: 'us-east-1' }),
  // B: denied in one region only (an SCP, not a missing role)
  coverageEntry({ accountId: ACCOUNT_B, region: 'eu-west-1' }),
  deniedEntry(ACCOUNT_B, 'us-east-1'),
  // C: the role is missing: every region denied
  deniedEntry(ACCOUNT_C, 'eu-west-1'),
  deniedEntry(ACCOUNT_C, 'us-east-1'),
  // D: suspended, never tried
  coverageEntry({ accountId: ACCOUNT_D, region: null, status: 'account-skipped', message: 'SUSPENDED' }),
];

describe('findRoleGaps', () => {
  it('lists the scanned accounts where every region was access-denied', () => {
    expect(findRoleGaps(coverage)).toEqual([
      {
        accountId: ACCOUNT_C,
        accountName: 'name-333',
        regions: 2,
        errorCode: 'AccessDenied',
        message: expect.stringContaining('sts:AssumeRole'),
      },
    ]);
  });

  it('does not count an account that was also throttled or failed somewhere as a gap', () => {
    const mixed = [
      deniedEntry(ACCOUNT_C, 'eu-west-1'),
      coverageEntry({ accountId: ACCOUNT_C, region: 'us-east-1', status: 'throttled' }),
    ];

    expect(findRoleGaps(mixed)).toEqual([]);
  });

  it('never lists skipped accounts, even when skipped entries sit beside denied ones', () => {
    const skippedOnly = [
      coverageEntry({ accountId: ACCOUNT_D, region: null, status: 'account-skipped', message: 'CLOSED' }),
    ];

    expect(findRoleGaps(skippedOnly)).toEqual([]);
  });

  it('sorts the gaps by account id whatever the coverage order', () => {
    const gaps = findRoleGaps([deniedEntry(ACCOUNT_D, 'eu-west-1'), deniedEntry(ACCOUNT_B, 'eu-west-1')]);

    expect(gaps.map((gap) => gap.accountId)).toEqual([ACCOUNT_B, ACCOUNT_D]);
  });
});

describe('gapsCsv', () => {
  it('writes one CRLF row per gap under a header, quoting messages with commas', () => {
    const csv = gapsCsv(findRoleGaps(coverage));

    expect(csv.split('\r\n')).toEqual([
      'accountId,accountName,regions,errorCode,message',
      `${ACCOUNT_C},name-333,2,AccessDenied,User is not authorized to perform: sts:AssumeRole on arn:aws:iam::${ACCOUNT_C}:role/CrossAccountListFunctionsRole`,
      '',
    ]);
    const [gap] = findRoleGaps(coverage);
    if (!gap) throw new Error('expected a gap');
    expect(gapsCsv([{ ...gap, message: 'denied, twice' }])).toContain('"denied, twice"');
  });

  it('writes only the header when every account has the role', () => {
    expect(gapsCsv([])).toBe('accountId,accountName,regions,errorCode,message\r\n');
  });
});

describe('stackSetCommand', () => {
  const gaps = findRoleGaps([deniedEntry(ACCOUNT_C, 'eu-west-1'), deniedEntry(ACCOUNT_D, 'eu-west-1')]);

  it('deploys to exactly the gap accounts, as a filter of the given OUs', () => {
    const command = stackSetCommand(gaps, {
      organizationalUnitIds: ['ou-ab12-cdefgh34', 'ou-ab12-ijklmn56'],
    });

    expect(command).toBe(
      [
        'aws cloudformation create-stack-instances',
        '--stack-set-name lambda-inventory-member-role',
        `--deployment-targets "OrganizationalUnitIds=ou-ab12-cdefgh34,ou-ab12-ijklmn56,Accounts=${ACCOUNT_C},${ACCOUNT_D},AccountFilterType=INTERSECTION"`,
        '--regions us-east-1',
      ].join(' \\\n  '),
    );
  });

  it('looks the root up itself when no OU is given, and can run as a delegated administrator', () => {
    const command = stackSetCommand(gaps, {
      stackSetName: 'member-role',
      region: 'eu-west-1',
      delegatedAdmin: true,
    });

    expect(command).toContain(
      `"OrganizationalUnitIds=$(aws organizations list-roots --query 'Roots[0].Id' --output text),Accounts=`,
    );
    expect(command).toContain('--stack-set-name member-role');
    expect(command).toContain('--regions eu-west-1');
    expect(command?.endsWith('--call-as DELEGATED_ADMIN')).toBe(true);
  });

  it('gives no command when there is no gap', () => {
    expect(stackSetCommand([])).toBeNull();
  });

  it('refuses a name that would change what the shell runs', () => {
    expect(() => stackSetCommand(gaps, { stackSetName: 'x; rm -rf ~' })).toThrow(/not a plain name/);
    expect(() => stackSetCommand(gaps, { organizationalUnitIds: ['$(id)'] })).toThrow(/not a plain name/);
  });
});
