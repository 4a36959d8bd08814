import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from './sse-parser.js';

test('messages arrive whole whatever the pieces: split mid-line, mid-CRLF, with comments and several data lines', () => {
  const text = ': keep-alive\r\n\r\nevent: live\r\ndata: {"a":1}\r\n\r\nevent: live\ndata: line one\ndata:line two\n\ndata: plain\n\n';
  const expected = [
    { event: 'live', data: '{"a":1}' },
    { event: 'live', data: 'line one\nline two' },
    { event: 'message', data: 'plain' },
  ];
  for (const size of [1, 2, 3, 7, text.length]) {
    const parser = new SseParser();
    const messages = [];
    for (let i = 0; i < text.length; i += size) messages.push(...parser.push(text.slice(i, i + size)));
    assert.deepEqual(messages, expected, `pieces of ${size}`);
  }
});

test('a message is only given once its blank line came', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('event: live\ndata: x\n'), []);
  assert.deepEqual(parser.push('\n'), [{ event: 'live', data: 'x' }]);
});
