import { readFile } from 'node:fs/promises';
import { runFloor, type FloorPlan } from './floor.js';

/** Entry of the raw-floor child process: `node dist/bench/floor-main.js PLAN.json`. */
const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: floor-main.js PLAN.json\n');
  process.exit(2);
}
const plan = JSON.parse(await readFile(file, 'utf8')) as FloorPlan;
const moved = await runFloor(plan);
process.stdout.write(`${JSON.stringify(moved)}\n`);
