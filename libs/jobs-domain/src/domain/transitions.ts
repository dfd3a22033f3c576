import { Job, JobStatus } from './job';

/**
 * A change to a job, as a transition describes it; the jobs repository writes it conditionally on
 * the job's version and keeps the due index in step with the resulting status.
 */
export interface JobChange {
  /** Attributes to set (undefined values are ignored). */
  set?: Partial<Omit<Job, 'jobId' | 'userId' | 'version'>>;
  /** Attributes to remove. */
  remove?: (keyof Job)[];
}

export interface JobPatch {
  targetPrice?: string;
  checkIntervalMinutes?: number;
  paused?: boolean;
}

/**
 * The change a user's PATCH makes, or null when it changes nothing.
 * - paused: true parks the job (out of the due index); paused: false resumes a paused or failed job,
 *   due now, with its failure count reset.
 * - a new targetPrice re-arms a notified job: it becomes active and due now.
 */
export function planPatch(job: Job, patch: JobPatch, now: Date): JobChange | null {
  const set: NonNullable<JobChange['set']> = {};
  const remove: NonNullable<JobChange['remove']> = [];
  let status: JobStatus = job.status;

  if (
    patch.checkIntervalMinutes !== undefined &&
    patch.checkIntervalMinutes !== job.checkIntervalMinutes
  ) {
    set.checkIntervalMinutes = patch.checkIntervalMinutes;
  }
  if (patch.targetPrice !== undefined && patch.targetPrice !== job.targetPrice) {
    set.targetPrice = patch.targetPrice;
    if (status === 'notified') {
      status = 'active';
      set.nextCheckAt = now.getTime();
      remove.push('notifiedAt');
    }
  }
  if (patch.paused === true && status !== 'paused') {
    status = 'paused';
  } else if (patch.paused === false && (status === 'paused' || status === 'failed')) {
    status = 'active';
    set.nextCheckAt = now.getTime();
    set.consecutiveFailures = 0;
    remove.push('failureReason');
  }
  if (status !== job.status) set.status = status;
  if (Object.keys(set).length === 0 && remove.length === 0) return null;
  return { set, remove };
}
