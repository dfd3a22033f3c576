import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { RESCHEDULER_CONFIG, ReschedulerConfig } from './rescheduler.config';
import { ReschedulerService } from './rescheduler.service';

/** The local stack's stand-in for the EventBridge schedule: a run every few seconds, never two at once. */
@Injectable()
export class RescheduleLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RescheduleLoop.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly service: ReschedulerService,
    @Inject(RESCHEDULER_CONFIG) private readonly config: ReschedulerConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.RESCHEDULER_LOOP) return;
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.service
        .runOnce()
        .catch((err) => this.logger.error({ err }, 'reschedule run failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.config.RESCHEDULE_INTERVAL_SECONDS * 1000);
        });
    }, delayMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
