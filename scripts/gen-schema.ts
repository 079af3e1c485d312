// Writes config/lineside.schema.json (the agent's) and config/plant.schema.json (the plant
// server's) from the zod schemas; with --check, fails when either is stale (CI runs the check so
// the editor schemas never drift from the code).
import { readFileSync, writeFileSync } from 'node:fs';
import { jsonSchemaText, plantJsonSchemaText } from '../src/config/json-schema.js';

const targets = [
  { name: 'config/lineside.schema.json', text: jsonSchemaText() },
  { name: 'config/plant.schema.json', text: plantJsonSchemaText() },
];
let stale = false;
for (const { name, text } of targets) {
  const file = new URL(`../${name}`, import.meta.url);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      console.error(`${name} is stale: run \`npm run schema:gen\` and commit it`);
      stale = true;
    } else console.log(`${name} is current`);
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${name}`);
  }
}
if (stale) process.exit(1);
