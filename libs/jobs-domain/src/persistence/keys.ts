import { DEFAULT_DUE_SHARDS } from './table-schema';

/**
 * The key of every item in the jobs table, built and read back here only (the layout is drawn in
 * table-schema.ts). Everything a user owns sits in their partition, so every read is scoped to them.
 */
export const USER_PK_PREFIX = 'USER#';
export const userPk = (userId: string) => `${USER_PK_PREFIX}${userId}`;
export function userIdFromPk(pk: string): string {
  return pk.slice(USER_PK_PREFIX.length);
}

export const JOB_SK_PREFIX = 'JOB#';
export const jobSk = (jobId: string) => `${JOB_SK_PREFIX}${jobId}`;
export function jobIdFromSk(sk: string): string {
  return sk.slice(JOB_SK_PREFIX.length);
}

/** Every price point of a user, whatever the job. */
export const HISTORY_SK_PREFIX = 'HIST#';
/** The price points of one job, in time order. */
export const historySkPrefix = (jobId: string) => `${HISTORY_SK_PREFIX}${jobId}#`;
export const historySk = (jobId: string, checkedAt: string, pointId: string) =>
  `${historySkPrefix(jobId)}${checkedAt}#${pointId}`;

export const NOTIFICATION_SK_PREFIX = 'NOTIF#';
export const notificationSk = (createdAt: string, notificationId: string) =>
  `${NOTIFICATION_SK_PREFIX}${createdAt}#${notificationId}`;
/** The inverse of notificationSk; null when the key has no id part. */
export function notificationKeyParts(
  sk: string,
): { createdAt: string; notificationId: string } | null {
  const rest = sk.slice(NOTIFICATION_SK_PREFIX.length);
  const cut = rest.lastIndexOf('#');
  if (cut < 0) return null;
  return { createdAt: rest.slice(0, cut), notificationId: rest.slice(cut + 1) };
}

export const PROFILE_SK = 'PROFILE';

/** FNV-1a over an id: spreads items evenly over the shards, the same way in every app. */
function shardIndex(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** The due-index partition of a schedulable job. */
export function dueShardOf(jobId: string, shards = DEFAULT_DUE_SHARDS): string {
  return `S${shardIndex(jobId, shards)}`;
}

export function allDueShards(shards = DEFAULT_DUE_SHARDS): string[] {
  return Array.from({ length: shards }, (_, i) => `S${i}`);
}

/**
 * The due-index partition of an undelivered alert (its next delivery attempt is its sort key).
 * Alerts have their own partitions (R…, jobs are S…), so neither query ever reads the other's items.
 */
export function redriveShardOf(notificationId: string, shards = DEFAULT_DUE_SHARDS): string {
  return `R${shardIndex(notificationId, shards)}`;
}

export function allRedriveShards(shards = DEFAULT_DUE_SHARDS): string[] {
  return Array.from({ length: shards }, (_, i) => `R${i}`);
}
