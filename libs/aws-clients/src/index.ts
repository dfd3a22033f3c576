export * from './aws.config';
export * from './aws-clients.module';
