/**
 * A tiny terminal for tests: applies the escapes the live display uses (cursor to the start of a
 * line n up, erase to the end of screen/line, cursor show/hide) so a test can assert what a user
 * would finally see, not the bytes that drew it. Lines never wrap here; the display truncates them.
 */
export class VirtualScreen {
  #rows: string[] = [''];
  #row = 0;
  #col = 0;
  /** Whether the last cursor show/hide escape left the cursor visible. */
  cursorVisible = true;

  write(text: string): void {
    const pattern = /\x1b\[(\??)(\d*)([A-Za-z])|\r|\n|[^\x1b\r\n]+/g;
    for (const match of text.matchAll(pattern)) {
      const [token, privateMode, arg, command] = match;
      if (token === '\r') this.#col = 0;
      else if (token === '\n') this.#newline();
      else if (command !== undefined) this.#escape(privateMode === '?', arg ?? '', command);
      else this.#print(token);
    }
  }

  /** The screen's lines, without trailing empty ones. */
  lines(): string[] {
    const rows = [...this.#rows];
    while (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
    return rows;
  }

  #newline(): void {
    this.#row++;
    this.#col = 0;
    while (this.#rows.length <= this.#row) this.#rows.push('');
  }

  #print(text: string): void {
    const line = (this.#rows[this.#row] ?? '').padEnd(this.#col);
    this.#rows[this.#row] = line.slice(0, this.#col) + text + line.slice(this.#col + text.length);
    this.#col += text.length;
  }

  #escape(privateMode: boolean, arg: string, command: string): void {
    const n = arg === '' ? 1 : Number(arg);
    if (privateMode) {
      if (arg === '25') this.cursorVisible = command === 'h';
      return;
    }
    switch (command) {
      case 'F':
        this.#row = Math.max(0, this.#row - Math.max(1, n));
        this.#col = 0;
        break;
      case 'J':
        this.#rows = this.#rows.slice(0, this.#row + 1);
        this.#rows[this.#row] = (this.#rows[this.#row] ?? '').slice(0, this.#col);
        break;
      case 'K':
        this.#rows[this.#row] = (this.#rows[this.#row] ?? '').slice(0, this.#col);
        break;
      default:
        throw new Error(`VirtualScreen: unsupported escape ${command}`);
    }
  }
}
