import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FloorPlan } from './floor.js';
import { runTimed, type Measured } from './timed-process.js';

const FLOOR_MAIN = fileURLToPath(new URL('./floor-main.js', import.meta.url));

/** The floor runs in its own node process, measured exactly like the two tools. */
export async function runFloorProcess(dir: string, plan: FloorPlan, timeoutMs: number): Promise<Measured> {
  const file = join(dir, 'floor-plan.json');
  await writeFile(file, JSON.stringify(plan));
  return runTimed(process.execPath, [FLOOR_MAIN, file], { timeoutMs });
}
