/**
 * The Distributed Map's S3 reader and writer, with grants on exactly the keys they touch.
 *
 * The workflow names its bucket by path (`$.plan.bucket`), so that the same definition runs locally
 * against any bucket or folder. CDK then grants the ResultWriter's S3 actions on `*` and the ItemReader
 * nothing at all; these subclasses grant the deployed bucket's targets files and map-results prefix.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  ResultWriterV2,
  type ResultWriterV2Props,
  type S3FileItemReaderProps,
  S3JsonItemReader,
} from 'aws-cdk-lib/aws-stepfunctions';
import { objectPattern } from '../shared/keys.ts';

// `grantBucket`, not `bucket`: CDK's classes have a `bucket` getter, which throws when the bucket is named by path

/** Reads the plan's targets file (runs/<runId>/targets.json). */
export class TargetsReader extends S3JsonItemReader {
  constructor(
    props: S3FileItemReaderProps,
    private readonly grantBucket: IBucket,
  ) {
    super(props);
  }

  override providePolicyStatements(): PolicyStatement[] {
    return [
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.grantBucket.arnForObjects(objectPattern('targets'))],
      }),
    ];
  }
}

/** Writes the map run's results under runs/map-results/ (the actions AWS documents for ResultWriter). */
export class MapResultsWriter extends ResultWriterV2 {
  constructor(
    props: ResultWriterV2Props,
    private readonly grantBucket: IBucket,
  ) {
    super(props);
  }

  override providePolicyStatements(): PolicyStatement[] {
    return [
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [this.grantBucket.arnForObjects(objectPattern('mapResult'))],
      }),
    ];
  }
}
