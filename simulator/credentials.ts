/**
 * Who is calling. Every access key the simulator issued through AssumeRole belongs to one session in
 * one member account; a temporary key (`ASIA...`) it did not issue is unknown, as after a restart;
 * any other access key is the central (management) account's own user.
 */
import type { Prng } from './prng.ts';

export interface CentralCaller {
  kind: 'central';
  accountId: string;
  accessKeyId: string;
  arn: string;
  userId: string;
}

export interface SessionCaller {
  kind: 'session';
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  roleName: string;
  roleId: string;
  sessionName: string;
  /** epoch ms */
  expiresAt: number;
  arn: string;
  userId: string;
}

export type Caller = CentralCaller | SessionCaller;

export type CallerResult =
  | { ok: true; caller: Caller }
  | { ok: false; reason: 'invalid-token' | 'expired-token' };

export class CredentialStore {
  private readonly sessions = new Map<string, SessionCaller>();
  private readonly roleIds = new Map<string, string>();

  constructor(
    private readonly centralAccountId: string,
    private readonly prng: Prng,
  ) {}

  issue(input: {
    accountId: string;
    roleName: string;
    sessionName: string;
    durationSeconds: number;
    now: number;
  }): SessionCaller {
    let accessKeyId: string;
    do accessKeyId = `ASIA${this.prng.upperAlphanumeric(16)}`;
    while (this.sessions.has(accessKeyId));
    const roleId = this.roleId(input.accountId, input.roleName);
    const session: SessionCaller = {
      kind: 'session',
      accountId: input.accountId,
      accessKeyId,
      secretAccessKey: this.prng.bytes(30).toString('base64'),
      sessionToken: `IQoJb3JpZ2luX2Vj${this.prng.bytes(180).toString('base64')}`,
      roleName: input.roleName,
      roleId,
      sessionName: input.sessionName,
      // STS reports expiry to the second
      expiresAt: Math.floor(input.now / 1000) * 1000 + input.durationSeconds * 1000,
      arn: `arn:aws:sts::${input.accountId}:assumed-role/${input.roleName}/${input.sessionName}`,
      userId: `${roleId}:${input.sessionName}`,
    };
    this.sessions.set(accessKeyId, session);
    return session;
  }

  /** Like AWS: a temporary key needs its session token, and stops working when it expires. */
  resolve(accessKeyId: string, sessionToken: string | undefined, now: number): CallerResult {
    const session = this.sessions.get(accessKeyId);
    if (!session && accessKeyId.startsWith('ASIA')) return { ok: false, reason: 'invalid-token' };
    if (!session) {
      return {
        ok: true,
        caller: {
          kind: 'central',
          accountId: this.centralAccountId,
          accessKeyId,
          arn: `arn:aws:iam::${this.centralAccountId}:user/inventory-operator`,
          userId: `AIDA${accessKeyId.slice(-16).toUpperCase().padStart(16, 'X')}`,
        },
      };
    }
    if (sessionToken !== session.sessionToken) return { ok: false, reason: 'invalid-token' };
    if (now >= session.expiresAt) return { ok: false, reason: 'expired-token' };
    return { ok: true, caller: session };
  }

  /** Role ids are stable per role, as in IAM. */
  private roleId(accountId: string, roleName: string): string {
    const key = `${accountId}/${roleName}`;
    let id = this.roleIds.get(key);
    if (!id) {
      id = `AROA${this.prng.upperAlphanumeric(17)}`;
      this.roleIds.set(key, id);
    }
    return id;
  }
}
