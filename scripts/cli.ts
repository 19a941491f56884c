// The CLI from source, for `npm start` and `npm run cli`: the same main() that bin/ runs from dist/.
import { main } from '../cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
