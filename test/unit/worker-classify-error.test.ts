import { describe, expect, it } from 'vitest';
import { classifyError } from '../../functions/worker/classify-error.ts';
import { awsError } from './plan-worker-fakes.ts';

describe('classifyError', () => {
  it.each([
    ['assume-role', 'AccessDenied', 'access-denied'],
    ['assume-role', 'AccessDeniedException', 'access-denied'],
    ['assume-role', 'RegionDisabledException', 'region-not-enabled'],
    ['assume-role', 'Throttling', 'throttled'],
    ['assume-role', 'ThrottlingException', 'throttled'],
    ['assume-role', 'TooManyRequestsException', 'throttled'],
    ['assume-role', 'ExpiredTokenException', 'error'],
    ['assume-role', 'IncompleteCredentialsError', 'error'],
    ['list-functions', 'UnrecognizedClientException', 'region-not-enabled'],
    ['list-functions', 'AccessDeniedException', 'access-denied'],
    ['list-functions', 'TooManyRequestsException', 'throttled'],
    ['list-functions', 'ThrottlingException', 'throttled'],
    ['list-functions', 'Throttling', 'throttled'],
    ['list-functions', 'ServiceException', 'error'],
    ['list-functions', 'TimeoutError', 'error'],
    ['list-functions', 'RegionDisabledException', 'error'],
  ] as const)('%s %s is %s', (step, name, status) => {
    const failure = classifyError(awsError(name, `${name} happened`), step);

    expect(failure).toEqual({ status, errorCode: name, message: `${name} happened` });
  });

  it('puts a long multi-line message on one line of at most 300 characters', () => {
    const failure = classifyError(
      awsError('ServiceException', `first line\n\n  second   line ${'x'.repeat(400)}`),
      'list-functions',
    );

    expect(failure.message).toMatch(/^first line second line x+…$/);
    expect(failure.message).toHaveLength(300);
  });

  it.each([
    [
      'a thrown string',
      'socket hang up',
      { status: 'error', errorCode: 'UnknownError', message: 'socket hang up' },
    ],
    ['undefined', undefined, { status: 'error', errorCode: 'UnknownError', message: 'UnknownError' }],
    [
      'an error without a message',
      awsError('InternalFailure', ''),
      { status: 'error', errorCode: 'InternalFailure', message: 'InternalFailure' },
    ],
  ])('classifies %s as an error', (_case, thrown, expected) => {
    expect(classifyError(thrown, 'list-functions')).toEqual(expected);
  });

  it('never copies the raw response an SDK error carries', () => {
    const error = Object.assign(awsError('SerializationException', 'Deserialization error'), {
      $response: { body: '{"Environment":{"Variables":{"DB_PASSWORD":"hunter2"}}}' },
    });

    expect(JSON.stringify(classifyError(error, 'list-functions'))).not.toContain('hunter2');
  });
});
