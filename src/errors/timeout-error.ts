import { NetworkError } from './network-error.js';

/**
 * A registry (or token service) took longer than a configured timeout: to connect, to answer, to
 * send a whole small body, or it moved a blob slower than the minimum rate. `setting` names the
 * knob (e.g. `timeouts.readSeconds`), and the message says how to change it.
 */
export class TimeoutError extends NetworkError {
  readonly setting: string;

  constructor(method: string, url: string, detail: string, setting: string, options?: { cause?: unknown }) {
    super(method, url, detail, { ...options, code: 'TIMEOUT' });
    this.setting = setting;
  }
}
