import { DynamicModule, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { AwsClientsModule } from '@app/aws-clients';
import { AwsHealthIndicators } from '@app/aws-clients/health';
import {
  EGRESS_CONFIG,
  JOBS_CONFIG,
  JobsRepository,
  OutboxRepository,
  PriceHistoryRepository,
  ProfilesRepository,
} from '@app/jobs-domain';
import { AppConfigModule, loggerParams, RUNTIME_CONFIG, ShutdownState } from '@app/platform';
import { MetricsModule } from '@app/platform/http';
import { CheckService } from './checks/check.service';
import { ChecksConsumer } from './checks/checks.consumer';
import { PageChecker } from './checks/page-checker';
import { BROWSER_POOL, EGRESS_GUARD, HTTP_FETCHER, PAGE_CHECKER } from './checks/tokens';
import { BrowserPool, EgressGuard, findChromiumExecutable, HttpFetcher } from './fetching';
import { HealthController } from './health.controller';
import { Notifier, WEBHOOK_SENDER } from './notifying/notifier';
import { WebhookSender } from './notifying/webhook-sender';
import { WebhookTester } from './notifying/webhook-tester';
import { httpFetcherSettings, WORKER_CONFIG, WorkerEnv } from './worker.config';

class FetchingLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(BROWSER_POOL) private readonly browser: BrowserPool | null,
    @Inject(HTTP_FETCHER) private readonly http: HttpFetcher,
    @Inject(WEBHOOK_SENDER) private readonly webhook: WebhookSender,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.browser?.close(), this.http.close(), this.webhook.close()]);
  }
}

/** Everything the worker needs; `consume: false` builds it without the SQS consumer (tests, benchmarks). */
@Module({})
export class WorkerModule {
  /** `loaded` is the validated configuration (loadWorkerConfig). */
  static forRoot(loaded: WorkerEnv, opts: { consume?: boolean } = {}): DynamicModule {
    const config = loaded.app;
    const consume = opts.consume ?? true;
    return {
      module: WorkerModule,
      imports: [
        AppConfigModule.register([
          [RUNTIME_CONFIG, config],
          [WORKER_CONFIG, config],
          [JOBS_CONFIG, loaded.jobs],
          [EGRESS_CONFIG, loaded.egress],
        ]),
        LoggerModule.forRoot(loggerParams('scraper-worker', config.LOG_LEVEL)),
        AwsClientsModule.forRoot(loaded.aws),
        TerminusModule.forRoot({ logger: false }),
        MetricsModule,
      ],
      controllers: [HealthController],
      providers: [
        ShutdownState,
        AwsHealthIndicators,
        JobsRepository,
        PriceHistoryRepository,
        OutboxRepository,
        ProfilesRepository,
        {
          provide: EGRESS_GUARD,
          useFactory: () => new EgressGuard(loaded.egress.allowList),
        },
        {
          provide: HTTP_FETCHER,
          inject: [EGRESS_GUARD],
          useFactory: (guard: EgressGuard) => new HttpFetcher(guard, httpFetcherSettings(config)),
        },
        {
          provide: BROWSER_POOL,
          inject: [EGRESS_GUARD],
          useFactory: (guard: EgressGuard) => {
            const logger = new Logger('BrowserPool');
            if (config.BROWSER_ENABLED === 'false') {
              logger.warn('browser disabled by BROWSER_ENABLED=false: running HTTP-only');
              return null;
            }
            const executablePath = findChromiumExecutable({
              PUPPETEER_EXECUTABLE_PATH: config.PUPPETEER_EXECUTABLE_PATH,
              PUPPETEER_CACHE_DIR: config.PUPPETEER_CACHE_DIR,
            });
            if (!executablePath)
              logger.warn(
                'no Chromium found (PUPPETEER_EXECUTABLE_PATH, system chromium): running HTTP-only',
              );
            return new BrowserPool(guard, {
              executablePath,
              maxPages: config.BROWSER_CONCURRENCY,
              pageTimeoutMs: config.PAGE_TIMEOUT_MS,
              recycleAfterPages: config.BROWSER_RECYCLE_AFTER_PAGES,
              userAgent: config.USER_AGENT,
              acceptLanguage: config.ACCEPT_LANGUAGE,
              noSandbox: config.BROWSER_NO_SANDBOX === 'true',
            });
          },
        },
        {
          provide: PAGE_CHECKER,
          inject: [HTTP_FETCHER, BROWSER_POOL],
          useFactory: (http: HttpFetcher, browser: BrowserPool | null) =>
            new PageChecker(http, browser),
        },
        {
          provide: WEBHOOK_SENDER,
          inject: [EGRESS_GUARD],
          useFactory: (guard: EgressGuard) => new WebhookSender(guard, config.WEBHOOK_TIMEOUT_MS),
        },
        FetchingLifecycle,
        Notifier,
        WebhookTester,
        CheckService,
        ...(consume ? [ChecksConsumer] : []),
      ],
      exports: [CheckService],
    };
  }
}
