/** Powertools Logger (structured JSON), one per function; keys such as runId/accountId/region are appended per call. */
import { Logger } from '@aws-lambda-powertools/logger';

export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName: `lambda-inventory-${serviceName}` });
}
