#!/usr/bin/env node
// The bin shim: load TypeScript through tsx, then hand over to the CLI's main().
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
