// Prints the sorted client SDL into schema.graphql and the federation subgraph SDL into schema.subgraph.graphql;
// with --check, fails when a committed file differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSortedSchema, printSubgraphSdl } from '../src/schema/index.js';

const targets = [
  { file: 'schema.graphql', printed: printSortedSchema() },
  { file: 'schema.subgraph.graphql', printed: printSubgraphSdl() },
];

const check = process.argv.includes('--check');
let drifted = false;
for (const { file, printed } of targets) {
  const target = fileURLToPath(new URL(`../${file}`, import.meta.url));
  if (!check) {
    writeFileSync(target, printed);
    console.log(`wrote ${target}`);
    continue;
  }
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
    console.error(`${file} is out of date with the code (first difference at line ${line + 1}).\nRun "npm run schema" and commit the result.`);
    drifted = true;
  } else {
    console.log(`${file} matches the code.`);
  }
}
if (drifted) process.exit(1);
