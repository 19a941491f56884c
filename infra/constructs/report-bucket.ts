/**
 * The report bucket: private, SSE-S3, TLS-only, versioned, access-logged to a bucket of its own, with
 * lifecycle rules for working data and reports (report-lifecycle.ts). Object grants are made from the
 * key templates of shared/keys.ts, so a grant names exactly the keys the functions write.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { InventoryConfig } from '../../shared/config.ts';
import { reportLifecycleRules } from './report-lifecycle.ts';

export interface ReportBucketProps {
  readonly config: Pick<InventoryConfig, 'runsExpirationDays' | 'reports' | 'logRetentionDays'>;
}

export class ReportBucket extends Bucket {
  readonly accessLogsBucket: Bucket;

  /** `id` names the bucket; its access-log bucket is a sibling, `AccessLogsBucket`. */
  constructor(scope: Construct, id: string, props: ReportBucketProps) {
    const { config } = props;
    const accessLogsBucket = new Bucket(scope, 'AccessLogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(config.logRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    });
    // SSE-S3 rather than KMS: the data is function metadata without secret values (environment
    // variables are kept by name only), and a KMS key would have to be granted to every reader
    // (the functions, the Distributed Map's reader and writer, Athena and CLI users) and would add
    // a KMS request to each of the thousands of partial objects a run writes.
    super(scope, id, {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'inventory-bucket/',
      lifecycleRules: reportLifecycleRules(config),
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    });
    this.accessLogsBucket = accessLogsBucket;
  }

  /**
   * Allows `actions` on the objects whose keys match `patterns` (from `objectPattern` in
   * shared/keys.ts), and nothing else of the bucket.
   */
  grantObjects(grantee: IGrantable, actions: string[], patterns: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions, resources: patterns.map((pattern) => this.arnForObjects(pattern)) }),
    );
  }
}
