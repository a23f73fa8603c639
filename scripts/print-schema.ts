// Prints the schema as sorted SDL into schema.graphql; with --check, fails when the committed file differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSortedSchema } from '../src/schema/index.js';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const printed = printSortedSchema();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // A missing file is drift too.
  }
  if (committed !== printed) {
    const committedLines = committed.split('\n');
    const printedLines = printed.split('\n');
    const line = printedLines.findIndex((text, index) => text !== committedLines[index]);
    console.error(
      `schema.graphql is out of date with the code (first difference at line ${line + 1}).\nRun "npm run schema" and commit the result.`,
    );
    process.exit(1);
  }
  console.log('schema.graphql matches the code.');
} else {
  writeFileSync(target, printed);
  console.log(`wrote ${target}`);
}
