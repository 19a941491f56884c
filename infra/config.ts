/**
 * The deployment configuration as the CDK app reads it: the context key `inventory`, holding an
 * object (`cdk.json`), inline JSON (`-c inventory='{"regions":["eu-west-1"]}'`) or the path of a
 * JSON file (`-c inventory=./inventory.config.json`). The schema itself lives in shared/config.ts,
 * which the CLI reads without loading aws-cdk-lib.
 */
import { type IConstruct, Node } from 'constructs';
import { type InventoryConfig, parseInventoryConfig, readInventoryConfig } from '../shared/config.ts';

/** The CDK context key the configuration is read from. */
export const CONFIG_CONTEXT_KEY = 'inventory';

/** Reads the configuration from the `inventory` context key of the app (or any construct, or its node). */
export function loadInventoryConfig(scope: IConstruct | Node): InventoryConfig {
  const node = scope instanceof Node ? scope : scope.node;
  const value: unknown = node.tryGetContext(CONFIG_CONTEXT_KEY);
  return typeof value === 'string' ? readInventoryConfig(value) : parseInventoryConfig(value);
}
