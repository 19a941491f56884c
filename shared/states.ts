/**
 * State names of the workflow: statemachine/ names its states with them, and the local engine binds
 * its task handlers by them. Here rather than in statemachine/ so that the engine can bind handlers
 * without loading aws-cdk-lib.
 */
export const STATE = {
  plan: 'Plan',
  scan: 'Scan targets',
  worker: 'Scan batch',
  reduce: 'Reduce',
  recordFailure: 'Record failure',
  fail: 'Run failed',
} as const;
