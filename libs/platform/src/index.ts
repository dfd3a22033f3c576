export * from './config';
export * from './logging';
export * from './errors';
export * from './metrics';
export * from './shutdown';
export * from './tracing';
