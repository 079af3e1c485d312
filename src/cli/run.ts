// Entry point for running the CLI from source (`node --import tsx src/cli/run.ts ...`), as the
// tests do; installs use bin/lineside.js on the compiled dist/.
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
