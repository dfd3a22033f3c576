/**
 * What the integration global setup hands to the test workers. The variable names are the apps'
 * (see tools/local-stack/start.ts), so a test can build an app's config from process.env as is.
 */
export interface StartedServices {
  /** Temp dir holding the Postgres cluster; removed by the teardown. */
  workDir: string;
  stop(): Promise<void>;
}

/** globalSetup and globalTeardown run in the same process; workers never see this. */
export const SERVICES_GLOBAL_KEY = '__PRICEWATCH_INTEGRATION_SERVICES__';

export function servicesFromGlobal(): StartedServices | undefined {
  return (globalThis as Record<string, unknown>)[SERVICES_GLOBAL_KEY] as
    StartedServices | undefined;
}
