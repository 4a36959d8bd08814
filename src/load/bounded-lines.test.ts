import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedLines } from './bounded-lines.js';

function collect(max: number, chunks: string[]): { lines: string[]; overlong: string[] } {
  const lines: string[] = [];
  const overlong: string[] = [];
  const splitter = new BoundedLines(
    max,
    (l) => lines.push(l),
    (kept) => overlong.push(kept),
  );
  for (const chunk of chunks) splitter.push(Buffer.from(chunk));
  splitter.end();
  return { lines, overlong };
}

test('lines split across chunks, \\r\\n and a last line without a newline', () => {
  assert.deepEqual(collect(100, ['ab', 'c\nde\r\n', '\nf', 'g']), { lines: ['abc', 'de', '', 'fg'], overlong: [] });
});

test('a line at the limit passes (with or without \\r); one byte more is reported once, with what was kept, and dropped', () => {
  assert.deepEqual(collect(4, ['abcd\nabcd\r\n']), { lines: ['abcd', 'abcd'], overlong: [] });
  assert.deepEqual(collect(4, ['ab', 'cde', 'fgh', 'ijk\nok\n']), { lines: ['ok'], overlong: ['abcd'] });
  assert.deepEqual(collect(4, ['abcd\r', 'x\nok']), { lines: ['ok'], overlong: ['abcd'] }, 'a \\r inside the line is no line end');
  assert.deepEqual(collect(4, ['abcdef']), { lines: [], overlong: ['abcd'] }, 'an overlong last line is not a line');
});

test('an endless line is never held: what the splitter keeps stays at the limit', () => {
  let kept = '';
  const splitter = new BoundedLines(
    1024,
    () => assert.fail('no line ends'),
    (text) => (kept = text),
  );
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 64; i++) splitter.push(chunk);
  assert.equal(kept.length, 1024);
  // 64 MiB went through; the splitter holds none of it (the test's own chunk is 1 MiB).
  assert.ok(process.memoryUsage().arrayBuffers - before < 8 * 1024 * 1024);
});
