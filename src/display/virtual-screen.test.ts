import assert from 'node:assert/strict';
import { it } from 'node:test';
import { VirtualScreen } from './virtual-screen.js';

it('redraws a block in place with cursor-up and clear-to-end', () => {
  const screen = new VirtualScreen();
  screen.write('keep\nblock 1\nblock 2\n');
  screen.write('\x1b[2F\x1b[Jabove\nnew 1\n');
  assert.deepEqual(screen.lines(), ['keep', 'above', 'new 1']);
});

it('treats \\r\\n like \\n and overwrites after \\r', () => {
  const screen = new VirtualScreen();
  screen.write('abcdef\rXY\r\nnext\r\n');
  assert.deepEqual(screen.lines(), ['XYcdef', 'next']);
});

it('tracks cursor visibility and rejects escapes it does not know', () => {
  const screen = new VirtualScreen();
  screen.write('\x1b[?25l');
  assert.equal(screen.cursorVisible, false);
  screen.write('\x1b[?25h');
  assert.equal(screen.cursorVisible, true);
  assert.throws(() => screen.write('\x1b[2H'), /unsupported/);
});
