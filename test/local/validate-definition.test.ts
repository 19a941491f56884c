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

describe('validateDefinition, with what the validator is stricter about than Step Functions', () => {
  const distributedMap = (percentage: number): AslDefinition => ({
    StartAt: 'Fan out',
    States: {
      'Fan out': {
        Type: 'Map',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
          StartAt: 'Work',
          States: { Work: { Type: 'Pass', End: true } },
        },
        ToleratedFailurePercentage: percentage,
        End: true,
      },
    },
  });

  it('accepts a fractional ToleratedFailurePercentage, as Step Functions does, and leaves the value as it was', () => {
    const valid = distributedMap(12.5);

    validateDefinition(valid);

    expect(valid.States['Fan out']?.ToleratedFailurePercentage).toBe(12.5);
  });

  it.each([100.5, -0.5])('still refuses a percentage out of 0 to 100: %s', (percentage) => {
    expect(() => validateDefinition(distributedMap(percentage))).toThrow(/ToleratedFailurePercentage/);
  });

  it('names every problem on the first line of its message', () => {
    const broken: AslDefinition = {
      StartAt: 'First',
      States: { First: { Type: 'Pass', Next: 'Missing' }, Other: { Type: 'Pass', Next: 'Gone' } },
    };

    const error = (() => {
      try {
        validateDefinition(broken);
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected the definition to be refused');
    })();

    const firstLine = error.message.split('\n')[0] ?? '';
    expect(firstLine).toMatch(/^the state machine definition is invalid: /);
    expect(firstLine).toContain('Missing');
    expect(firstLine).toContain('Gone');
  });
});
