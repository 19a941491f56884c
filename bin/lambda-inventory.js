#!/usr/bin/env node
// The bin shim: load TypeScript through tsx, then hand over to the CLI's main().
import { register } from 'tsx/esm/api';

// The pinned SDK supports Node 20; its notice that later releases will need Node 22 is for SDK
// upgrades, not for users of this CLI, and would be printed in the middle of the progress output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
