import { PictureBookError } from '../errors/index.js';

/** One or more registries have a schedule that cannot be used; nothing was changed. */
export class ScheduleError extends PictureBookError {
  readonly problems: Array<{ registry: string; message: string }>;

  constructor(problems: Array<{ registry: string; message: string }>) {
    super('SCHEDULE_INVALID', problems.map((p) => `${p.registry}: syncPeriod: ${p.message}`).join('\n'));
    this.problems = problems;
  }
}
