/**
 * The request members of each operation, with the constraints of the Step Functions API reference.
 * A member of the wrong JSON type is a SerializationException, a missing or out-of-range one a
 * ValidationException, worded as AWS words them ("Value null at 'executionArn' failed to satisfy
 * constraint: Member must not be null").
 */
import * as z from '../../shared/zod.ts';
import { ServiceError, validationError } from './service-errors.ts';

const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const Arn = text(1, 256);
const LongArn = text(1, 2000);
const PageSize = z.int().check(z.minimum(0), z.maximum(1000));
const NextToken = text(1, 3096);

const ExecutionStatusFilter = z.enum([
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
]);

export const StartExecutionRequest = z.object({
  stateMachineArn: Arn,
  name: z.optional(z.string()),
  // 256 KiB: the Step Functions payload limit
  input: z.optional(text(0, 262_144)),
  traceHeader: z.optional(text(0, 256)),
});

export const DescribeExecutionRequest = z.object({
  executionArn: Arn,
  includedData: z.optional(z.enum(['ALL_DATA', 'METADATA_ONLY'])),
});

export const ListExecutionsRequest = z.object({
  stateMachineArn: z.optional(Arn),
  mapRunArn: z.optional(LongArn),
  statusFilter: z.optional(ExecutionStatusFilter),
  redriveFilter: z.optional(z.enum(['REDRIVEN', 'NOT_REDRIVEN'])),
  maxResults: z.optional(PageSize),
  nextToken: z.optional(NextToken),
});

export const DescribeMapRunRequest = z.object({ mapRunArn: LongArn });

export const ListMapRunsRequest = z.object({
  executionArn: Arn,
  maxResults: z.optional(PageSize),
  nextToken: z.optional(NextToken),
});

export const StopExecutionRequest = z.object({
  executionArn: Arn,
  error: z.optional(text(0, 256)),
  cause: z.optional(text(0, 32_768)),
});

export const RedriveExecutionRequest = z.object({
  executionArn: Arn,
  clientToken: z.optional(text(1, 64)),
});

/** The request's members, or the error AWS answers a bad member with. */
export function parseRequest<S extends z.ZodMiniType>(schema: S, body: Record<string, unknown>): z.output<S> {
  const parsed = z.safeParse(schema, body);
  if (parsed.success) return parsed.data;
  const wrongType = parsed.error.issues.find(
    (issue) => issue.code === 'invalid_type' && valueAt(body, issue.path) !== undefined,
  );
  if (wrongType) {
    throw new ServiceError(
      'SerializationException',
      `'${wrongType.path.join('.')}' must be ${describeType(wrongType)}`,
    );
  }
  throw validationError(
    parsed.error.issues.map((issue) => {
      const path = issue.path.join('.');
      const value = valueAt(body, issue.path);
      return value === undefined
        ? `Value null at '${path}' failed to satisfy constraint: Member must not be null`
        : `Value '${String(value)}' at '${path}' failed to satisfy constraint: ${constraintOf(issue)}`;
    }),
  );
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

function describeType(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' ? `a ${issue.expected}` : 'of another type';
}

function constraintOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `Member must satisfy enum value set: [${issue.values.join(', ')}]`;
    case 'too_small':
      return issue.origin === 'string'
        ? `Member must have length greater than or equal to ${issue.minimum}`
        : `Member must have value greater than or equal to ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `Member must have length less than or equal to ${issue.maximum}`
        : `Member must have value less than or equal to ${issue.maximum}`;
    default:
      return issue.message;
  }
}
