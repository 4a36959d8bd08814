import type { Job, JobPage } from '../../lib/api-types.js';
import { api } from '../api.js';
import { relativeTime } from '../clock.js';
import type { Context, View } from '../context.js';
import { fill, h } from '../dom.js';
import { resultBadge } from '../widgets.js';

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

/** Distribute jobs, newest first: what each copies, to which targets, and how each target went. */
export function jobsView(context: Context): View {
  const table = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const pager = h('div', { class: 'pager' });
  let cursors: string[] = [];
  const load = async (next: string[]) => {
    const before = next.at(-1);
    let page: JobPage;
    try {
      page = await api.get<JobPage>(`api/distribute/image?limit=${PAGE}${before ? `&before=${encodeURIComponent(before)}` : ''}`);
    } catch (error) {
      context.notice(`jobs: ${(error as Error).message}`, 'error');
      return;
    }
    cursors = next;
    fill(
      table,
      page.jobs.length === 0
        ? h('p', { class: 'muted empty' }, 'No distribute job yet (POST /api/distribute/image).')
        : h(
            'table',
            { class: 'jobs' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Posted', 'Image', 'Targets', 'State'].map((t) => h('th', {}, t)),
              ),
            ),
            h(
              'tbody',
              {},
              page.jobs.map((job) =>
                h(
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
                    job.source
                      ? `${job.source.endpoint} ${job.source.image}${job.source.ref.includes(':') ? '@' : ':'}${job.source.ref}`
                      : '—',
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
                ),
              ),
            ),
          ),
    );
    fill(
      pager,
      cursors.length > 0
        ? h('button', { type: 'button', class: 'secondary', onclick: () => void load(cursors.slice(0, -1)) }, '← Newer')
        : null,
      page.next !== null
        ? h('button', { type: 'button', class: 'secondary', onclick: () => void load([...cursors, page.next as string]) }, 'Older →')
        : null,
    );
  };
  void load([]);
  return {
    element: h(
      'section',
      { class: 'jobs-page' },
      h('h1', {}, 'Distribute jobs'),
      h('p', { class: 'muted' }, 'Newest first.'),
      table,
      pager,
    ),
    changed: (changes) => {
      if (changes.jobs && cursors.length === 0) void load([]);
    },
  };
}
