import { DEFAULT_DUE_SHARDS } from './table-schema';

export const userPk = (userId: string) => `USER#${userId}`;
export const jobSk = (jobId: string) => `JOB#${jobId}`;
export const JOB_SK_PREFIX = 'JOB#';
export const historySkPrefix = (jobId: string) => `HIST#${jobId}#`;
export const historySk = (jobId: string, checkedAt: string, pointId: string) =>
  `${historySkPrefix(jobId)}${checkedAt}#${pointId}`;
export const NOTIFICATION_SK_PREFIX = 'NOTIF#';
export const notificationSk = (createdAt: string, notificationId: string) =>
  `${NOTIFICATION_SK_PREFIX}${createdAt}#${notificationId}`;
export const PROFILE_SK = 'PROFILE';

/** FNV-1a over the job id: spreads jobs evenly over the due shards, the same way in every app. */
export function dueShardOf(jobId: string, shards = DEFAULT_DUE_SHARDS): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < jobId.length; i++) {
    hash ^= jobId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `S${hash % shards}`;
}

export function allDueShards(shards = DEFAULT_DUE_SHARDS): string[] {
  return Array.from({ length: shards }, (_, i) => `S${i}`);
}

export function jobIdFromSk(sk: string): string {
  return sk.slice(JOB_SK_PREFIX.length);
}
export function userIdFromPk(pk: string): string {
  return pk.slice('USER#'.length);
}
