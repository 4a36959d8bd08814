/** One message of a server-sent event stream. */
export interface SseMessage {
  event: string;
  data: string;
}

/**
 * Reads a text/event-stream in pieces as they arrive (a piece may end anywhere, even mid-line):
 * `event:` and `data:` fields, a blank line ends a message, comments (`:`) are skipped.
 */
export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];

  push(chunk: string): SseMessage[] {
    this.#buffer += chunk;
    const messages: SseMessage[] = [];
    let newline: number;
    while ((newline = this.#buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A CR at the end may be the first half of a CRLF that the next piece completes.
      if (newline === this.#buffer.length - 1 && this.#buffer.endsWith('\r')) break;
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + (this.#buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (this.#data.length > 0) messages.push({ event: this.#event || 'message', data: this.#data.join('\n') });
        this.#event = '';
        this.#data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') this.#event = value;
      else if (field === 'data') this.#data.push(value);
    }
    return messages;
  }
}
