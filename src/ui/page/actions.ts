import type { DashboardRow } from '../lib/api-types.js';
import type { Context } from './context.js';
import { h } from './dom.js';

/** The buttons a registry's state allows: run now and pause, or resume. */
export function actionButtons(row: DashboardRow, context: Context): HTMLElement {
  const button = (action: 'pause' | 'resume' | 'run', label: string, primary = false) =>
    h(
      'button',
      {
        type: 'button',
        class: primary ? 'primary' : 'secondary',
        'data-action': action,
        onclick: () => void context.act(row.hostname, action),
      },
      label,
    );
  const buttons =
    row.state === 'paused'
      ? [button('resume', 'Resume', true)]
      : row.state === 'running'
        ? [button('pause', 'Pause')]
        : row.state === 'stopped'
          ? []
          : [button('run', 'Run now', true), button('pause', 'Pause')];
  return h('div', { class: 'actions' }, buttons);
}

export const ACTION_QUESTIONS: Record<'pause' | 'resume' | 'run', { title: (host: string) => string; detail: string; action: string }> = {
  pause: {
    title: (host) => `Pause ${host}?`,
    detail:
      'No run starts until it is resumed, across restarts too. A run going on is cancelled: its copies are aborted, and nothing half-copied is tagged.',
    action: 'Pause',
  },
  resume: { title: (host) => `Resume ${host}?`, detail: 'Runs start again on its schedule.', action: 'Resume' },
  run: { title: (host) => `Run ${host} now?`, detail: 'A run starts at once, outside its schedule.', action: 'Run now' },
};
