/**
 * The report in Athena: a Glue database with the `functions` and `coverage` tables over the files
 * reduce writes under `athena/` (table definitions, partition projection and query text all from
 * shared/athena.ts: no crawler, no partitions to add), an Athena workgroup whose query results go to
 * `athena-results/` in the report bucket (expired by a lifecycle rule), and the named queries.
 */
import { Aws } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ATHENA_TABLES, glueTableInput, NAMED_QUERIES } from '../../shared/athena.ts';
import { keys } from '../../shared/keys.ts';

/**
 * Names in the account's Data Catalog and Athena: the app has one central stack per account and
 * region (its name is fixed), and the Glue catalog and Athena are regional.
 */
export const ATHENA_DATABASE = 'lambda_inventory';
export const ATHENA_WORKGROUP = 'lambda-inventory';

/** A runaway query stops after reading this much (about $0.50 of Athena scanning at $5 per TB). */
export const BYTES_SCANNED_CUTOFF = 100 * 1024 ** 3;

const pascalCase = (name: string) =>
  name.replace(/(^|[-_])([a-z])/g, (_, __, letter: string) => letter.toUpperCase());

export interface AthenaCatalogProps {
  readonly bucket: IBucket;
}

export class AthenaCatalog extends Construct {
  readonly database: CfnDatabase;
  readonly tables: CfnTable[];
  readonly workGroup: CfnWorkGroup;
  readonly namedQueries: CfnNamedQuery[];

  constructor(scope: Construct, id: string, { bucket }: AthenaCatalogProps) {
    super(scope, id);

    this.database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: ATHENA_DATABASE,
        description: 'lambda-inventory: the Lambda functions and the coverage of every run',
      },
    });

    this.tables = ATHENA_TABLES.map((table) => {
      const cfnTable = new CfnTable(this, `${pascalCase(table.name)}Table`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName: ATHENA_DATABASE,
        tableInput: glueTableInput(table, { bucketName: bucket.bucketName }),
      });
      cfnTable.addResourceDependency(this.database);
      return cfnTable;
    });

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: ATHENA_WORKGROUP,
      description: 'Queries over the lambda-inventory reports; results in the report bucket',
      // the workgroup's query history goes with the stack
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        // every query of the workgroup writes its results here, whatever the client asks
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: BYTES_SCANNED_CUTOFF,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${bucket.bucketName}/${keys.athenaResultsPrefix}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
          expectedBucketOwner: Aws.ACCOUNT_ID,
        },
      },
    });

    this.namedQueries = NAMED_QUERIES.map((query) => {
      const named = new CfnNamedQuery(this, pascalCase(query.name), {
        name: query.name,
        description: query.description,
        database: ATHENA_DATABASE,
        workGroup: ATHENA_WORKGROUP,
        queryString: query.sql,
      });
      named.addResourceDependency(this.workGroup);
      named.addResourceDependency(this.database);
      return named;
    });
  }
}
