import { Job, Notification } from './job';
import { NOTIFICATION_SK_PREFIX } from './keys';

/**
 * The outbox entry of a notified job, rebuilt from the job alone. The job is the commit point of a
 * check; if the worker dies after committing and before writing the outbox entry, the redelivered
 * message recreates the very same entry from here.
 */
export function notificationFromJob(job: Job): Notification | null {
  if (job.status !== 'notified' || !job.notificationSk || !job.lastPrice) return null;
  const rest = job.notificationSk.slice(NOTIFICATION_SK_PREFIX.length);
  const cut = rest.lastIndexOf('#');
  if (cut < 0) return null;
  return {
    notificationId: rest.slice(cut + 1),
    createdAt: rest.slice(0, cut),
    jobId: job.jobId,
    url: job.url,
    title: job.title,
    price: job.lastPrice,
    targetPrice: job.targetPrice,
    currency: job.currency,
    channels: [],
  };
}
