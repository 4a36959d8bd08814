import type { DashboardRow } from '../lib/api-types.js';
import type { Context } from './context.js';
import { h } from './dom.js';

type Action = 'pause' | 'resume' | 'run';

/** What each state offers: run now and pause, or resume. */
const OFFERED: Record<DashboardRow['state'], Action[]> = {
  scheduled: ['run', 'pause'],
  unscheduled: ['run', 'pause'],
  running: ['pause'],
  paused: ['resume'],
  stopped: [],
};

/**
 * A registry's buttons, made once and shown or hidden as its state changes: a live update never
 * replaces a button the user is about to click or has focused.
 */
export class ActionButtons {
  readonly element: HTMLElement;
  readonly #buttons: Record<Action, HTMLButtonElement>;

  constructor(hostname: string, context: Context) {
    const button = (action: Action, label: string, primary = false) =>
      h(
        'button',
        {
          type: 'button',
          class: primary ? 'primary' : 'secondary',
          'data-action': action,
          hidden: true,
          onclick: () => void context.act(hostname, action),
        },
        label,
      );
    this.#buttons = { resume: button('resume', 'Resume', true), run: button('run', 'Run now', true), pause: button('pause', 'Pause') };
    this.element = h('div', { class: 'actions' }, this.#buttons.resume, this.#buttons.run, this.#buttons.pause);
  }

  update(state: DashboardRow['state']): void {
    const offered = OFFERED[state];
    for (const [action, button] of Object.entries(this.#buttons)) button.hidden = !offered.includes(action as Action);
  }
}

export const ACTION_QUESTIONS: Record<Action, { title: (host: string) => string; detail: string; action: string }> = {
  pause: {
    title: (host) => `Pause ${host}?`,
    detail:
      'No run starts until it is resumed, across restarts too. A run going on is cancelled: its copies are aborted, and nothing half-copied is tagged.',
    action: 'Pause',
  },
  resume: { title: (host) => `Resume ${host}?`, detail: 'Runs start again on its schedule.', action: 'Resume' },
  run: { title: (host) => `Run ${host} now?`, detail: 'A run starts at once, outside its schedule.', action: 'Run now' },
};
