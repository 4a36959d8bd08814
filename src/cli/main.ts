#!/usr/bin/env node
import { main } from './program.js';

// A reader that went away (`picture-book load --all | head`) does not fail the mirror: output stops,
// the work goes on, the exit code is the work's. Without a listener Node dies on the first EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await main(process.argv);
