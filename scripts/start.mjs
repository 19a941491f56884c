#!/usr/bin/env node
// `npm start` and `npm run cli`: the CLI, compiled when the build is current (scripts/current-build.mjs).
import { runCurrent } from './current-build.mjs';

process.exitCode = await runCurrent('cli/main', 'main', process.argv.slice(2));
