import {
  Get,
  OnModuleDestroy,
  OnModuleInit,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { loadState } from './load-shedding';
import { Gauge } from 'prom-client';
import { metricsRegistry } from './metrics';
import { ShutdownState } from './shutdown';

/** Probes run on every /metrics scrape; one per running app (tests run several in a process). */
const dependencyProbes = new Set<() => Promise<void>>();

export const dependencyUp = new Gauge({
  name: 'dependency_up',
  help: 'Whether a dependency answered its health check at the last scrape (1) or not (0)',
  labelNames: ['dependency'] as const,
  registers: [metricsRegistry],
  async collect() {
    await Promise.all([...dependencyProbes].map((probe) => probe()));
  },
});

/**
 * The same health endpoints in every app; each app's controller names its dependencies.
 *
 * - /health/live: the process answers (liveness).
 * - /health/ready: the process can serve: up, not shutting down and not shedding load
 *   (readiness). Dependencies are deliberately not part of it: a blip of PostgreSQL or an AWS API would take every pod out
 *   of rotation at once, turning degraded service into a full outage.
 * - /health/dependencies: every dependency, 503 when one is down (for people, `helm test` and
 *   monitors); the same results are exported as the `dependency_up` gauge on /metrics, which
 *   the alert rules watch.
 */
export abstract class HealthEndpoints implements OnModuleInit, OnModuleDestroy {
  private readonly probe = () => this.recordDependencies();

  constructor(
    protected readonly health: HealthCheckService,
    protected readonly indicators: HealthIndicatorService,
    protected readonly shutdown: ShutdownState,
  ) {}

  protected abstract dependencies(): HealthIndicatorFunction[];

  onModuleInit(): void {
    dependencyProbes.add(this.probe);
  }

  onModuleDestroy(): void {
    dependencyProbes.delete(this.probe);
  }

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => {
        const check = this.indicators.check('lifecycle');
        return this.shutdown.isShuttingDown ? check.down({ reason: 'shutting down' }) : check.up();
      },
      () => {
        // Over capacity (load shedding active): steer the load balancer to other pods meanwhile.
        const check = this.indicators.check('load');
        return loadState.overloaded()
          ? check.down({ reason: 'over capacity', inFlight: loadState.inFlight })
          : check.up({ inFlight: loadState.inFlight });
      },
    ]);
  }

  /** The full report, with 503 when a dependency is down (set on the reply, so the error filter
   * does not reduce the report to a bare 503). Reasons are error names, never SDK messages. */
  @Get('dependencies')
  @HealthCheck()
  async dependencyHealth(@Res({ passthrough: true }) reply: { code(status: number): unknown }) {
    const result = await this.checkDependencies();
    this.record(result);
    if (result.status !== 'ok') reply.code(503);
    return result;
  }

  /** Runs the dependency checks and sets `dependency_up`; never throws. */
  async recordDependencies(): Promise<void> {
    try {
      this.record(await this.checkDependencies());
    } catch {
      // A scrape must not fail because a check did; the gauge keeps its last values.
    }
  }

  private async checkDependencies(): Promise<HealthCheckResult> {
    try {
      return await this.health.check(this.dependencies());
    } catch (err) {
      if (err instanceof ServiceUnavailableException) return err.getResponse() as HealthCheckResult;
      throw err;
    }
  }

  private record(result: HealthCheckResult): void {
    for (const [dependency, detail] of Object.entries(result.details)) {
      dependencyUp.set({ dependency }, detail.status === 'up' ? 1 : 0);
    }
  }
}
