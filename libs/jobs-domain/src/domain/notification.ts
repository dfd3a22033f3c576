import { notificationKeyParts } from '../persistence/keys';
import { Job, Notification } from './job';

/**
 * The outbox entry of a notified job, rebuilt from the job alone. The job is the commit point of a
 * check; if the worker dies after committing and before writing the outbox entry, the redelivered
 * message recreates the very same entry from here.
 */
export function notificationFromJob(job: Job): Notification | null {
  if (job.status !== 'notified' || !job.notificationSk || !job.lastPrice) return null;
  const parts = notificationKeyParts(job.notificationSk);
  if (!parts) return null;
  return {
    notificationId: parts.notificationId,
    createdAt: parts.createdAt,
    jobId: job.jobId,
    url: job.url,
    title: job.title,
    price: job.lastPrice,
    targetPrice: job.targetPrice,
    currency: job.currency,
    channels: [],
  };
}
