export * from './aws.config';
export * from './aws-clients.module';
export * from './signed-query';
