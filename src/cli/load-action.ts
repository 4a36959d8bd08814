import { setMaxListeners } from 'node:events';
import { constants as osConstants } from 'node:os';
import { configSecrets, loadConfig, resolveConfigPath, type PictureBookConfig, type RegistryConfig } from '../config/index.js';
import { CopyEngine } from '../copy/index.js';
import { timeoutsFromSettings } from '../transport/index.js';
import { createReporter, type DisplayMode, type Reporter } from '../display/index.js';
import { PictureBookError } from '../errors/index.js';
import { isLayoutPlace, parsePlace } from '../reference/index.js';
import { processScrubber } from '../errors/secret-scrubber.js';
import type { LoadEvent } from '../load/events.js';
import { runLoad } from '../load/load-run.js';
import type { OwnershipLedger } from '../store/index.js';
import { tuneForOneShotRun } from './one-shot-runtime.js';

export interface LoadFlags {
  config?: string;
  registry: string[];
  all?: boolean;
  dryRun?: boolean;
  verbose?: boolean;
  logFormat: 'text' | 'json';
  since?: string;
  prunePlan?: boolean;
  pruneConfirm?: boolean;
  /** Copies of one source to several targets read it once (LoadRunOptions.groupSources). */
  groupSources?: boolean;
}

/** `--registry oci:mirror` names the layout as config.yaml does once made absolute (here: against the working directory). */
function placeOrSelf(host: string): string {
  try {
    return parsePlace(host);
  } catch {
    return host;
  }
}

/** The registries a load should cover, or a usage error naming the configured ones. */
export function selectRegistries(config: PictureBookConfig, wanted: string[], all: boolean): RegistryConfig[] {
  if (all) return config.registries;
  if (wanted.length === 0) throw new PictureBookError('USAGE', 'say which registry to load: --registry HOST (repeatable) or --all');
  return wanted.map((host) => {
    const found = config.registries.find((r) => r.hostname === host || r.hostname === placeOrSelf(host));
    if (!found) {
      const known = config.registries.map((r) => r.hostname).join(', ');
      throw new PictureBookError('USAGE', `registry "${host}" is not in ${config.file} (configured: ${known})`);
    }
    return found;
  });
}

/** Events that carry a message (an error a registry may have filled with what it was sent). */
const MESSAGE_EVENTS = new Set([
  'registry-script-failed',
  'registry-line-invalid',
  'selection-problem',
  'image-planned',
  'registry-finished',
  'image-failed',
  'target-failed',
  'warning',
  'referrers-not-listed',
  'referrer-failed',
  'retry',
]);

function scrubbed(event: LoadEvent): LoadEvent {
  return MESSAGE_EVENTS.has(event.type) ? processScrubber.scrubDeep(event) : event;
}

export function displayMode(config: PictureBookConfig, logFormat: string): DisplayMode {
  if (logFormat === 'json') return 'json';
  return config.display === 'spinner' ? 'spinner' : 'plain';
}

/**
 * `picture-book load`: loaded only when the command runs, so other commands start without it.
 * SIGINT/SIGTERM once: no further image starts, the copies under way finish. Twice: they are
 * aborted (a manifest is written last, so no target tag points at missing content). A third
 * signal gets the default action. Either way the exit code is 128 + the signal number (130, 143).
 */
export async function runLoadCommand(flags: LoadFlags): Promise<void> {
  tuneForOneShotRun();
  const { config, warnings } = await loadConfig(resolveConfigPath(flags.config, process.env, process.cwd()));
  processScrubber.addAll(configSecrets(config));
  const registries = selectRegistries(config, flags.registry, flags.all === true);
  if (flags.since !== undefined && !registries.some((r) => isLayoutPlace(r.hostname))) {
    throw new PictureBookError(
      'USAGE',
      '--since makes delta bundles: it needs a registry entry whose hostname is an oci: or oci-archive: layout',
    );
  }
  if (flags.prunePlan === true && flags.pruneConfirm === true)
    throw new PictureBookError('USAGE', '--prune-plan deletes nothing: --prune-confirm has nothing to confirm beside it');
  if (!registries.some(prunes) && (flags.prunePlan === true || flags.pruneConfirm === true))
    throw new PictureBookError(
      'USAGE',
      '--prune-plan and --prune-confirm need a mirrors: rule with prune: (or a pruneImages:) in the registries loaded',
    );
  // What picture-book owns is in the same history `sync` keeps: opened when a rule prunes.
  // Imported only then: the SQLite addon and its modules cost a few MB of every load's memory.
  const store = registries.some(prunes) ? (await import('../store/sqlite-run-store.js')).SqliteRunStore.open(config.state.path) : undefined;
  const reporter = createReporter(displayMode(config, flags.logFormat), process.stdout, { verbose: flags.verbose === true });
  const engine = new CopyEngine({
    imageConcurrency: config.concurrency.images,
    blobConcurrency: config.concurrency.blobs,
    timeouts: timeoutsFromSettings(config.timeouts),
  });
  try {
    await runToEnd({
      registries,
      reporter,
      engine,
      warnings,
      dryRun: flags.dryRun === true,
      ...(flags.since !== undefined ? { since: flags.since } : {}),
      ...(store?.ownership ? { ownership: store.ownership } : {}),
      prunePlan: flags.prunePlan === true,
      pruneConfirm: flags.pruneConfirm === true,
    });
  } finally {
    await store?.close();
  }
}

/** A registry with a `mirrors:` rule that prunes, or whose list does (`pruneImages:`). */
function prunes(registry: RegistryConfig): boolean {
  return registry.pruneImages !== undefined || (registry.mirrors ?? []).some((rule) => rule.prune !== undefined && rule.prune !== false);
}

export interface RunToEndOptions {
  registries: RegistryConfig[];
  reporter: Reporter;
  engine: CopyEngine;
  warnings: readonly string[];
  dryRun: boolean;
  /** `load --since`: layout targets become delta bundles of this previous one. */
  since?: string;
  ownership?: OwnershipLedger;
  prunePlan?: boolean;
  pruneConfirm?: boolean;
  /** Copies of one source to several targets read it once (LoadRunOptions.groupSources). */
  groupSources?: boolean;
}

/**
 * Runs a load to its end with the stop signals of a one-shot command, sets the exit code, closes
 * the reporter and the engine. SIGINT/SIGTERM once: no further image starts, the copies under way
 * finish. Twice: they are aborted. The exit code is then 128 + the signal number (130, 143).
 */
export async function runToEnd(options: RunToEndOptions): Promise<void> {
  const { registries, reporter, engine, warnings, dryRun, since } = options;
  // A host's quota and pauses (every image of the run waits alike): lines of their own.
  engine.onHostEvent((event) => reporter.handle(event));
  const drain = new AbortController();
  const abort = new AbortController();
  // Every request of the run listens on one shared signal: far more than Node's default of 10 (MaxListenersExceededWarning).
  setMaxListeners(0, drain.signal, abort.signal);
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const abortNow = drain.signal.aborted;
    if (abortNow) {
      abort.abort();
      stopListening();
    } else {
      received = signal;
      drain.abort();
    }
    reporter.handle({ type: 'run-stopping', signal, abortNow, time: Date.now() });
  };
  const stopListening = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const message of warnings) reporter.handle({ type: 'warning', message, time: Date.now() });
    const outcome = await runLoad({
      registries,
      engine,
      emit: (e) => reporter.handle(scrubbed(e)),
      dryRun,
      signal: abort.signal,
      drain: drain.signal,
      ...(since !== undefined ? { since } : {}),
      ownership: options.ownership,
      prunePlan: options.prunePlan,
      pruneConfirm: options.pruneConfirm,
      ...(options.groupSources ? { groupSources: true } : {}),
    });
    // Interrupted is not "failed" (1): scripts can tell a stopped load from a broken one.
    process.exitCode = received ? 128 + osConstants.signals[received] : outcome.ok ? 0 : 1;
  } finally {
    reporter.close();
    stopListening();
    await engine.close();
  }
}
