/**
 * The report's Athena side on the synthesized template: Glue tables whose partition projection finds
 * exactly the files reduce writes (shared/athena.ts), the workgroup's result location, and the named
 * queries.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ATHENA_DATABASE, ATHENA_WORKGROUP } from '../../infra/constructs/athena-catalog.ts';
import { ATHENA_TABLES, athenaObjectKey, athenaPartitionDate, NAMED_QUERIES } from '../../shared/athena.ts';
import { keys } from '../../shared/keys.ts';
import { synthesize } from './support/app.ts';
import type { Template } from './support/cloudformation.ts';
import { bucketName, evaluateIn } from './support/iam.ts';

type Json = Record<string, unknown>;
type TableInput = {
  Name: string;
  TableType: string;
  Parameters: Record<string, string>;
  PartitionKeys: { Name: string; Type: string }[];
  StorageDescriptor: {
    Location: string;
    InputFormat: string;
    OutputFormat: string;
    SerdeInfo: { SerializationLibrary: string };
    Columns: { Name: string; Type: string }[];
  };
};

describe('the Athena catalog', () => {
  let template: Template;
  let bucket: string;
  let databaseId: string;
  const ofType = (type: string) =>
    Object.entries(template.Resources).filter(([, resource]) => resource.Type === type) as [
      string,
      { Properties: Json; DependsOn?: string[] },
    ][];
  const tableInput = (name: string) => {
    const found = ofType('AWS::Glue::Table').find(
      ([, table]) => (table.Properties.TableInput as { Name: string }).Name === name,
    );
    if (!found) throw new Error(`no table ${name}`);
    return {
      ...found[1],
      input: evaluateIn(template, found[1].Properties.TableInput) as TableInput,
    };
  };

  beforeAll(() => {
    const { inventory, inventoryTemplate } = synthesize({});
    template = inventoryTemplate.toJSON() as Template;
    bucket = bucketName(inventory.getLogicalId(inventory.bucket.node.defaultChild as CfnElement));
    databaseId = inventory.getLogicalId(inventory.athena.database);
  });

  it('declares the database the tables and queries name, and no crawler', () => {
    expect(ofType('AWS::Glue::Database').map(([, database]) => database.Properties)).toEqual([
      {
        CatalogId: { Ref: 'AWS::AccountId' },
        DatabaseInput: expect.objectContaining({ Name: ATHENA_DATABASE }),
      },
    ]);
    expect(ofType('AWS::Glue::Crawler')).toEqual([]);
  });

  describe.each(ATHENA_TABLES.map((table) => [table.name, table] as const))('the %s table', (name, table) => {
    it('projects a dt partition per day over the last three years, with no partitions to add', () => {
      // Act
      const { input } = tableInput(name);

      // Assess
      expect(input.TableType).toBe('EXTERNAL_TABLE');
      expect(input.PartitionKeys).toEqual([expect.objectContaining({ Name: 'dt', Type: 'string' })]);
      expect(input.Parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': 'NOW-3YEARS,NOW',
        'projection.dt.interval': '1',
        'projection.dt.interval.unit': 'DAYS',
      });
    });

    it("projects a run's partition onto the folder reduce writes that run's file to", () => {
      // Prepare
      const run = { runId: 'run-2026-12-03', startedAt: '2026-12-03T23:30:00.000Z' };
      const { input } = tableInput(name);

      // Act
      const partition = input.Parameters['storage.location.template']?.replace(
        /\$\{dt\}/,
        athenaPartitionDate(run.startedAt),
      );

      // Assess
      const file = `s3://${bucket}/${athenaObjectKey(name, run)}`;
      expect(partition).toBe(`s3://${bucket}/athena/${name}/dt=2026-12-03/`);
      expect(file.startsWith(partition ?? '')).toBe(true);
      expect(file.startsWith(input.StorageDescriptor.Location)).toBe(true);
    });

    it('reads gzip NDJSON with the Hive JSON SerDe, column by column as reduce writes them', () => {
      // Act
      const { input, DependsOn } = tableInput(name);

      // Assess
      expect(input.StorageDescriptor).toMatchObject({
        Location: `s3://${bucket}/athena/${name}/`,
        InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        SerdeInfo: { SerializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
      });
      expect(input.Parameters).toMatchObject({ classification: 'json', compressionType: 'gzip' });
      expect(input.StorageDescriptor.Columns.map(({ Name, Type }) => `${Name} ${Type}`)).toEqual(
        table.columns.map((column) => `${column.name} ${column.type}`),
      );
      expect(DependsOn).toContain(databaseId);
    });
  });

  it('writes query results to athena-results/ in the report bucket, encrypted, whatever the client asks', () => {
    // Act
    const [[, workGroup] = ['', { Properties: {} }], ...others] = ofType('AWS::Athena::WorkGroup');
    const properties = evaluateIn(template, workGroup.Properties) as Json;

    // Assess
    expect(others).toEqual([]);
    expect(properties).toMatchObject({
      Name: ATHENA_WORKGROUP,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: `s3://${bucket}/${keys.athenaResultsPrefix}`,
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          ExpectedBucketOwner: '123456789012',
        },
      },
    });
  });

  it('saves each named query of shared/athena.ts for the database, in the workgroup', () => {
    // Act
    const queries = ofType('AWS::Athena::NamedQuery').map(([, query]) => query.Properties);

    // Assess
    expect(queries).toEqual(
      NAMED_QUERIES.map((query) => ({
        Name: query.name,
        Description: query.description,
        QueryString: query.sql,
        Database: ATHENA_DATABASE,
        WorkGroup: ATHENA_WORKGROUP,
      })),
    );
  });
});
