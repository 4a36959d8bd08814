/**
 * Splits a byte stream into lines (`\n`, or `\r\n`) without ever holding more than `maxLineBytes`
 * of one line: readline keeps a whole line in memory however long it is, and a script's one
 * 200 MB line took the process to 1.8 GB. A longer line is reported once (`onOverlong`) with the
 * bytes kept so far; the rest of it is dropped as it arrives.
 */
export class BoundedLines {
  #parts: Buffer[] = [];
  #length = 0;
  #overlong = false;
  #maxLineBytes: number;
  #onLine: (text: string) => void;
  #onOverlong: (kept: string) => void;

  constructor(maxLineBytes: number, onLine: (text: string) => void, onOverlong: (kept: string) => void) {
    this.#maxLineBytes = maxLineBytes;
    this.#onLine = onLine;
    this.#onOverlong = onOverlong;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline < 0 ? chunk.length : newline;
      this.#append(chunk.subarray(start, end));
      if (newline < 0) return;
      this.#endLine();
      start = newline + 1;
    }
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.#length > 0 || this.#overlong) this.#endLine();
  }

  #append(bytes: Buffer): void {
    if (this.#overlong || bytes.length === 0) return;
    // One byte more than allowed is kept, so a trailing '\r' of a line exactly at the limit is no overflow.
    const room = this.#maxLineBytes + 1 - this.#length;
    if (bytes.length > room) {
      this.#parts.push(bytes.subarray(0, room));
      this.#length += room;
    } else {
      this.#parts.push(bytes);
      this.#length += bytes.length;
    }
    if (this.#length > this.#maxLineBytes && !this.#endsWithCarriageReturn()) {
      this.#overlong = true;
      this.#onOverlong(this.#text().slice(0, this.#maxLineBytes));
      this.#parts = [];
      this.#length = 0;
    }
  }

  #endsWithCarriageReturn(): boolean {
    const last = this.#parts.at(-1);
    return this.#length === this.#maxLineBytes + 1 && last?.at(-1) === 0x0d;
  }

  #endLine(): void {
    if (this.#overlong) {
      this.#overlong = false;
      return;
    }
    const text = this.#text().replace(/\r$/, '');
    this.#parts = [];
    this.#length = 0;
    this.#onLine(text);
  }

  #text(): string {
    // Copied: the parts may be views into chunks the stream reuses.
    return Buffer.concat(this.#parts).toString('utf8');
  }
}
