import type { FeedChanges } from '../../server/dashboard/live-feed.js';
import type { DashboardRow, LiveRun, Overview } from '../lib/api-types.js';

/** What a view reads and does; main.ts provides it. */
export interface Context {
  overview(): Overview | null;
  row(hostname: string): DashboardRow | undefined;
  /** The freshest live run of a registry: from the stream, else from the overview. */
  live(hostname: string): LiveRun | undefined;
  reloadOverview(): Promise<void>;
  /** Pause, resume or run now, after asking; the page shows the new state at once. */
  act(hostname: string, action: 'pause' | 'resume' | 'run'): Promise<void>;
  notice(text: string, kind?: 'error' | 'info'): void;
}

/** A page of the dashboard: its element, and how it follows what changes. */
export interface View {
  element: HTMLElement;
  overview?(overview: Overview): void;
  live?(runs: LiveRun[]): void;
  changed?(changes: FeedChanges): void;
  close?(): void;
}
