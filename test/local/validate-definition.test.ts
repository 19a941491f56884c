import { describe, expect, it } from 'vitest';
import type { AslDefinition } from '../../local/asl.ts';
import { validateDefinition } from '../../local/validate-definition.ts';

const definition = (next: string): AslDefinition => ({
  StartAt: 'First',
  States: {
    First: { Type: 'Pass', Next: next },
    Last: { Type: 'Succeed' },
  },
});

describe('validateDefinition', () => {
  it('accepts a valid definition and leaves it as it was', () => {
    const valid = definition('Last');
    const before = structuredClone(valid);

    validateDefinition(valid);

    expect(valid).toEqual(before);
  });

  it('refuses a definition Step Functions would refuse: a Next that names no state', () => {
    expect(() => validateDefinition(definition('Missing'))).toThrow(/Missing/);
  });
});
