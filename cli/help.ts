/** Help texts, one per command. */
import { DEFAULT_MIN_COVERAGE, DEFAULT_OUT_DIR } from './args.ts';

export const HELP = {
  main: `lambda-inventory: an inventory of every AWS Lambda function across the accounts and regions of an organization

Usage: lambda-inventory <command> [options]

Commands:
  run --local     run the inventory workflow on this machine (no deployment needed)
  simulate        start the fleet simulator (a fake AWS for demos, tests and other SDK clients)
  help [command]  show help for a command

Options:
  -h, --help      show help
  -v, --version   show the version

Exit codes: 0 ok; 1 the run failed or coverage is below --min-coverage; 2 bad usage or input.`,

  run: `Usage: lambda-inventory run --local [options]

Runs the same workflow definition as the deployed state machine (plan -> scan -> reduce) in this
process, against the AWS credentials of your environment (profiles, SSO, env vars) or the simulator.
AWS endpoints follow the SDK's standard settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>).

Targets (choose one; with --simulate the default is --organization):
  --accounts <ids>               account ids, comma-separated or repeated
  --organization                 discover accounts with AWS Organizations (management account or delegated admin)
    --include-ous <ids>          only accounts under these OUs (recursively)
    --exclude-ous <ids>          drop accounts under these OUs
    --exclude-accounts <ids>     drop these accounts
  --config <file>                a deployment config file (the same JSON as the CDK app's 'inventory' context)
  --regions <codes>              regions to scan (default: the config's, else the 17 default-enabled regions)

Where the report goes:
  --out <dir>                    local folder (default ${DEFAULT_OUT_DIR})
  --bucket <name>                an S3 bucket instead of a folder

Tuning:
  --concurrency <n>              batches scanned at once (the Map's MaxConcurrency)
  --batch-size <n>               targets per worker batch, rounded to whole accounts (1-200)
  --region-concurrency <n>       regions of one batch listed at once
  --tolerated-failure-percentage <n>  percentage of targets in failed batches tolerated before the run fails
  --min-coverage <pct>           exit 1 when fewer targets are covered (default ${DEFAULT_MIN_COVERAGE})
  --run-id <id>                  name the run (default: a timestamp)

Simulation and output:
  --simulate [spec.json]         start the fleet simulator in-process and run against it
  --json                         print the run's summary as JSON instead of a table
  -h, --help                     show this help`,

  simulate: `Usage: lambda-inventory simulate [options]

Starts the fleet simulator on loopback and prints the endpoint and environment to use: the AWS CLI or
any AWS SDK then talks to a simulated organization (STS AssumeRole, Lambda ListFunctions,
Organizations). Stops on Ctrl-C.

Options:
  --spec <file>    fleet spec (JSON); default: the built-in demo fleet
  --port <n>       port to listen on (default 4566; 0 picks a free one)
  --host <addr>    address to bind (default 127.0.0.1)
  -h, --help       show this help`,
} as const;
