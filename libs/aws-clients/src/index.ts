export * from './aws.config';
export * from './aws-clients.module';
export * from './health';
