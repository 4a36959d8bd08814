/** The display: plain, JSON and live renderers of a run's events, behind one interface. */
export { createReporter, type DisplayMode, type Reporter, type ReporterOptions, type ReporterOutput } from './reporter.js';
export { summaryLines, type SummaryStats, type Failure } from './summary.js';
