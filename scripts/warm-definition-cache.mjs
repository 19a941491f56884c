#!/usr/bin/env node
// The `prepare` script's second step: cli/warm-up.ts, compiled when the build is current.
import { runCurrent } from './current-build.mjs';

process.exitCode = await runCurrent('cli/warm-up', 'warmUpStartRun', []);
