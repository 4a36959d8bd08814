import type { FeedChanges } from '../../server/dashboard/live-feed.js';
import type { DashboardRow, LiveRun, OpsAnswer, Overview } from '../lib/api-types.js';
import { ACTION_QUESTIONS } from './actions.js';
import { api, ApiFailure, authRequired, token, whenUnauthorized } from './api.js';
import { refreshRelativeTimes } from './clock.js';
import { confirmAction } from './confirm.js';
import type { Context, View } from './context.js';
import { fill, h } from './dom.js';
import { followLive, type LiveState } from './live.js';
import { jobsView } from './views/jobs.js';
import { loginView } from './views/login.js';
import { overviewView } from './views/overview.js';
import { registryView } from './views/registry.js';
import { runView } from './views/run.js';

/** The overview is fetched again this often (next runs, overdue warnings), besides on every change. */
const OVERVIEW_EVERY_MS = 15_000;
const root = document.getElementById('app') as HTMLElement;

let overview: Overview | null = null;
const liveRuns = new Map<string, LiveRun>();
let view: View | undefined;
let stopLive: (() => void) | undefined;
let timers: number[] = [];

const context: Context = {
  overview: () => overview,
  row: (hostname) => overview?.registries.find((r) => r.hostname === hostname),
  live: (hostname) => liveRuns.get(hostname) ?? context.row(hostname)?.live ?? undefined,
  reloadOverview,
  act,
  notice,
};

function notice(text: string, kind: 'error' | 'info' = 'info'): void {
  const area = document.getElementById('notice');
  if (!area) return;
  const item = h(
    'div',
    { class: `notice-item ${kind}` },
    text,
    h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'),
  );
  area.append(item);
  if (kind === 'info') setTimeout(() => item.remove(), 4000);
}

async function reloadOverview(): Promise<void> {
  try {
    overview = await api.get<Overview>('api/sync/overview');
  } catch (error) {
    // Starting (recovering jobs, scheduling): ask again in a moment.
    if (error instanceof ApiFailure && error.status === 503) setTimeout(() => void reloadOverview(), 1000);
    else if (!(error instanceof ApiFailure && error.status === 401)) notice(`overview: ${(error as Error).message}`, 'error');
    return;
  }
  for (const row of overview.registries) if (row.live) liveRuns.set(row.hostname, row.live);
  view?.overview?.(overview);
}

/** Changes a row at once, before the fetch that follows confirms it. */
function patchRow(hostname: string, patch: Partial<DashboardRow>): void {
  if (!overview) return;
  overview = { ...overview, registries: overview.registries.map((r) => (r.hostname === hostname ? { ...r, ...patch } : r)) };
  view?.overview?.(overview);
}

async function act(hostname: string, action: 'pause' | 'resume' | 'run'): Promise<void> {
  const question = ACTION_QUESTIONS[action];
  if (!(await confirmAction(question.title(hostname), question.detail, question.action))) return;
  try {
    const answer = await api.post<OpsAnswer>(`ops?sync=${encodeURIComponent(hostname)}&action=${action}`);
    patchRow(hostname, { state: answer.state, ...(answer.nextRun !== undefined ? { nextRun: answer.nextRun } : {}) });
    notice(`${hostname}: ${action === 'run' ? 'run started' : answer.state}`);
  } catch (error) {
    notice(`${hostname}: ${(error as Error).message}`, 'error');
  }
  await reloadOverview();
}

function onLive(message: { runs: LiveRun[]; changed: FeedChanges }): void {
  for (const run of message.runs) liveRuns.set(run.registry, run);
  if (message.runs.length > 0) view?.live?.(message.runs);
  if (message.changed.overview) void reloadOverview();
  view?.changed?.(message.changed);
}

function setLiveState(state: LiveState): void {
  const badge = document.getElementById('live-state');
  if (!badge) return;
  badge.dataset.state = state;
  badge.textContent = state === 'live' ? '● live' : state === 'connecting' ? '○ connecting' : '○ reconnecting';
}

function route(): void {
  view?.close?.();
  for (const item of document.querySelectorAll('.notice-item.info')) item.remove();
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  const [page, ...rest] = hash.split('/');
  const arg = rest.join('/');
  view =
    page === 'registry' && arg
      ? registryView(context, arg)
      : page === 'run' && /^\d+$/.test(arg)
        ? runView(context, Number(arg))
        : page === 'jobs'
          ? jobsView(context)
          : overviewView(context);
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a'))
    link.classList.toggle('active', link.dataset.page === (page === 'jobs' ? 'jobs' : 'registries'));
  const main = document.getElementById('view');
  if (main) fill(main, view.element);
  window.scrollTo(0, 0);
}

function signOut(message?: string): void {
  token.clear();
  stopLive?.();
  for (const timer of timers) clearInterval(timer);
  timers = [];
  view = undefined;
  overview = null;
  liveRuns.clear();
  window.removeEventListener('hashchange', route);
  fill(root, loginView(startDashboard, message));
}

function startDashboard(accepted?: string): void {
  if (accepted !== undefined) token.set(accepted);
  fill(
    root,
    h(
      'header',
      { class: 'bar' },
      h('a', { href: '#/', class: 'brand' }, 'picture-book'),
      h(
        'nav',
        {},
        h('a', { href: '#/', 'data-page': 'registries' }, 'Registries'),
        h('a', { href: '#/jobs', 'data-page': 'jobs' }, 'Jobs'),
      ),
      h(
        'span',
        { id: 'live-state', class: 'live-state', 'data-state': 'connecting', title: 'Live updates from the server' },
        '○ connecting',
      ),
      authRequired() ? h('button', { type: 'button', class: 'link', onclick: () => signOut('Signed out.') }, 'Sign out') : null,
    ),
    h('div', { id: 'notice', class: 'notice', 'aria-live': 'polite' }),
    h('main', { id: 'view' }),
  );
  window.addEventListener('hashchange', route);
  route();
  void reloadOverview();
  stopLive = followLive({
    message: onLive,
    state: setLiveState,
    unauthorized: () => signOut('The token is no longer valid: sign in again.'),
  });
  timers = [window.setInterval(() => refreshRelativeTimes(), 1000), window.setInterval(() => void reloadOverview(), OVERVIEW_EVERY_MS)];
}

whenUnauthorized(() => signOut('The token is no longer valid: sign in again.'));
if (authRequired() && token.get() === null) signOut();
else startDashboard();
