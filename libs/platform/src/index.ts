export * from './config';
export * from './logging';
export * from './errors';
export * from './metrics';
export * from './shutdown';
export * from './bootstrap';
export * from './tracing';
