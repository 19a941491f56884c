import { describe, expect, it } from 'vitest';
import { classifyError, isThrottlingError } from '../../functions/worker/classify-error.ts';
import { awsError } from './plan-worker-fakes.ts';

describe('classifyError', () => {
  it.each([
    ['AccessDenied', 'access-denied'],
    ['AccessDeniedException', 'access-denied'],
    // STS not activated in the central account's STS region: nothing to do with the member's regions
    ['RegionDisabledException', 'error'],
    ['Throttling', 'throttled'],
    ['ThrottlingException', 'throttled'],
    ['TooManyRequestsException', 'throttled'],
    ['ExpiredTokenException', 'error'],
    ['IncompleteCredentialsError', 'error'],
  ] as const)('assume-role %s is %s', (name, status) => {
    const failure = classifyError(awsError(name, `${name} happened`), 'assume-role');

    expect(failure).toEqual({ status, errorCode: name, message: `${name} happened` });
  });

  it.each([
    // an opt-in region the account has not enabled rejects its fresh credentials
    ['UnrecognizedClientException', 'af-south-1', 'region-not-enabled'],
    ['UnrecognizedClientException', 'me-south-1', 'region-not-enabled'],
    // a default region is always enabled: there the token itself is bad
    ['UnrecognizedClientException', 'us-east-1', 'error'],
    ['UnrecognizedClientException', 'eu-west-1', 'error'],
    ['UnrecognizedClientException', 'sa-east-1', 'error'],
    ['AccessDeniedException', 'us-east-1', 'access-denied'],
    ['TooManyRequestsException', 'us-east-1', 'throttled'],
    ['ThrottlingException', 'af-south-1', 'throttled'],
    ['Throttling', 'us-east-1', 'throttled'],
    ['ServiceException', 'us-east-1', 'error'],
    ['TimeoutError', 'us-east-1', 'error'],
    ['RegionDisabledException', 'af-south-1', 'error'],
  ] as const)('list-functions %s in %s is %s', (name, region, status) => {
    const failure = classifyError(awsError(name, `${name} happened`), 'list-functions', region);

    expect(failure).toEqual({ status, errorCode: name, message: `${name} happened` });
  });

  it('puts a long multi-line message on one line of at most 300 characters', () => {
    const failure = classifyError(
      awsError('ServiceException', `first line\n\n  second   line ${'x'.repeat(400)}`),
      'list-functions',
      'us-east-1',
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
    expect(classifyError(thrown, 'list-functions', 'us-east-1')).toEqual(expected);
  });

  it('never copies the raw response an SDK error carries', () => {
    const error = Object.assign(awsError('SerializationException', 'Deserialization error'), {
      $response: { body: '{"Environment":{"Variables":{"DB_PASSWORD":"hunter2"}}}' },
    });

    expect(JSON.stringify(classifyError(error, 'list-functions', 'us-east-1'))).not.toContain('hunter2');
  });

  it('classifies any HTTP 429 as throttled, whatever its error name', () => {
    const error = Object.assign(awsError('UnknownError', 'slow down'), {
      $metadata: { httpStatusCode: 429 },
    });

    expect(classifyError(error, 'list-functions', 'us-east-1').status).toBe('throttled');
  });
});

describe('isThrottlingError', () => {
  it.each([
    ['STS Throttling', awsError('Throttling', 'Rate exceeded'), true],
    ['Lambda TooManyRequestsException', awsError('TooManyRequestsException', 'Rate exceeded'), true],
    ['ThrottlingException', awsError('ThrottlingException', 'x'), true],
    ['an HTTP 429', Object.assign(new Error('x'), { $metadata: { httpStatusCode: 429 } }), true],
    ['AccessDenied', awsError('AccessDenied', 'x'), false],
    [
      'an HTTP 503',
      Object.assign(awsError('ServiceUnavailable', 'x'), { $metadata: { httpStatusCode: 503 } }),
      false,
    ],
    ['a name inherited by every object', awsError('toString', 'x'), false],
    ['a string', 'Throttling', false],
  ])('says %s is %s', (_case, error, expected) => {
    expect(isThrottlingError(error)).toBe(expected);
  });
});
