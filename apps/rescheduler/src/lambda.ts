import 'reflect-metadata';
import { ConsoleLogger, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadReschedulerConfig } from './rescheduler.config';
import { ReschedulerCoreModule } from './rescheduler.module';
import { ReschedulerService, RunReport } from './rescheduler.service';

/** The parts of the Lambda context the handler uses. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/** An EventBridge scheduled event; its content is not needed, only that it fired. */
export interface ScheduledEventLike {
  'detail-type'?: string;
  source?: string;
  time?: string;
}

// Created once per container and reused by every warm invocation.
let context: Promise<INestApplicationContext> | undefined;

function appContext(): Promise<INestApplicationContext> {
  context ??= (async () => {
    const config = loadReschedulerConfig();
    return NestFactory.createApplicationContext(ReschedulerCoreModule.forRoot(config), {
      logger: new ConsoleLogger({ json: true, logLevels: ['log', 'warn', 'error'] }),
    });
  })().catch((err) => {
    context = undefined; // a failed init must not poison the container
    throw err;
  });
  return context;
}

export async function handler(
  _event: ScheduledEventLike,
  lambdaContext: LambdaContextLike,
): Promise<RunReport> {
  const app = await appContext();
  return app.get(ReschedulerService).runOnce(() => lambdaContext.getRemainingTimeInMillis());
}
