import type { Job, JobPage } from '../../lib/api-types.js';
import { api } from '../api.js';
import { relativeTime } from '../clock.js';
import type { Context, View } from '../context.js';
import { h, reconcile } from '../dom.js';
import { Pager } from '../pager.js';
import { headedTable, resultBadge } from '../widgets.js';

const PAGE = 20;

function targetOutcome(job: Job, endpoint: string): HTMLElement {
  const error = job.errors.find((e) => e.endpoint === endpoint);
  const outcome = error
    ? 'failed'
    : job.finished_endpoints.includes(endpoint)
      ? 'finished'
      : job.skipped_clusters.includes(endpoint)
        ? 'skipped'
        : 'pending';
  return h(
    'li',
    {},
    resultBadge(outcome),
    ' ',
    h('span', { class: 'mono' }, endpoint),
    error ? h('div', { class: 'error-text' }, `${error.code}: ${error.message}`) : null,
  );
}

function jobRow(job: Job): HTMLElement {
  return h(
    'tr',
    { class: `job job-${job.value.toLowerCase()}`, 'data-job': job.id },
    h(
      'td',
      { 'data-label': 'Posted' },
      relativeTime(job.created_at, 'UTC'),
      h('div', { class: 'muted mono', title: job.id }, job.id.slice(0, 8)),
    ),
    h(
      'td',
      { 'data-label': 'Image', class: 'mono' },
      job.source ? `${job.source.endpoint} ${job.source.image}${job.source.ref.includes(':') ? '@' : ':'}${job.source.ref}` : '—',
    ),
    h(
      'td',
      { 'data-label': 'Targets' },
      h(
        'ul',
        { class: 'targets' },
        job.targets.map((t) => targetOutcome(job, t)),
      ),
    ),
    h('td', { 'data-label': 'State' }, resultBadge(job.value.toLowerCase())),
  );
}

/** Distribute jobs, newest first: what each copies, to which targets, and how each target went. */
export function jobsView(context: Context): View {
  const loadingText = h('p', { class: 'muted' }, 'Loading…');
  const { table, tbody } = headedTable('jobs', ['Posted', 'Image', 'Targets', 'State']);
  const pager = new Pager<string>((cursors) => void load(cursors));
  let loading = 0;
  const load = async (cursors: string[]) => {
    const ticket = ++loading;
    // The page asked for, at once: a live refresh of the first page must not win over a click on Older.
    pager.cursors = cursors;
    const before = cursors.at(-1);
    let page: JobPage;
    try {
      page = await api.get<JobPage>(`api/distribute/image?limit=${PAGE}${before ? `&before=${encodeURIComponent(before)}` : ''}`);
    } catch (error) {
      context.notice(`jobs: ${(error as Error).message}`, 'error');
      return;
    }
    if (ticket !== loading) return;
    reconcile(
      tbody,
      page.jobs,
      (job) => job.id,
      (job) => JSON.stringify(job),
      jobRow,
    );
    table.hidden = page.jobs.length === 0;
    loadingText.hidden = page.jobs.length > 0;
    loadingText.textContent = 'No distribute job yet (POST /api/distribute/image).';
    pager.update(cursors, page.next);
  };
  void load([]);
  return {
    element: h(
      'section',
      { class: 'jobs-page' },
      h('h1', {}, 'Distribute jobs'),
      h('p', { class: 'muted' }, 'Newest first.'),
      loadingText,
      table,
      pager.element,
    ),
    changed: (changes) => {
      if (changes.jobs && pager.cursors.length === 0) void load([]);
    },
  };
}
