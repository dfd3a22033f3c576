import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUNTIME_CONFIG, RuntimeConfig } from './config';

/**
 * Graceful shutdown, first step: on SIGTERM readiness starts failing at once, and the server keeps
 * serving for a drain delay so that load balancers and Kubernetes endpoints stop sending new
 * requests before the listener closes. Nest then closes the HTTP server (in-flight requests finish)
 * and the connections.
 */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ShutdownState.name);
  private shuttingDown = false;

  constructor(@Inject(RUNTIME_CONFIG) private readonly runtime: RuntimeConfig) {}

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.shuttingDown = true;
    const drainMs = this.runtime.shutdownDrainMs;
    this.logger.log(
      `shutting down on ${signal ?? 'close'}; readiness now fails; draining ${drainMs} ms`,
    );
    if (drainMs > 0) await sleep(drainMs);
  }
}
