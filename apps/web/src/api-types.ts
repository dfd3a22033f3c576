/**
 * The API's shapes as the web app names them: aliases of the types generated from the gateway's
 * own OpenAPI document (api-schema.ts, `npm run api-types`), so they cannot drift from what the
 * gateway serves. Never write a shape here by hand: alias the schema instead.
 */
import type { components } from './api-schema';

type Schemas = components['schemas'];

export type User = Schemas['UserDto'];
export type Me = Schemas['MeDto'];
export type MeChange = Schemas['UpdateMeDto'];
/** The latest "send test" of the webhook (POST /me/webhook/test; then GET /me until it ends). */
export type WebhookTest = Schemas['WebhookTestDto'];
export type WebhookTestError = NonNullable<WebhookTest['error']>;

export type Job = Schemas['JobDto'];
export type JobStatus = Job['status'];
export type JobList = Schemas['JobListDto'];
export type NewJob = Schemas['CreateJobDto'];
export type JobChange = Schemas['UpdateJobDto'];

/** A priced check, from GET /jobs/{id}/history. */
export type PricePoint = Schemas['PricePointDto'];
/** GET /jobs/{id}/history: the price points. */
export type History = Schemas['PriceHistoryDto'];
/** One check of a job, whatever its outcome (a price only when it is ok). */
export type Check = Schemas['CheckDto'];
export type CheckOutcome = Check['outcome'];
/** GET /jobs/{id}/checks: every check. */
export type CheckList = Schemas['CheckListDto'];

export type Notification = Schemas['NotificationDto'];
export type NotificationList = Schemas['NotificationListDto'];
