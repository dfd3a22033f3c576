export * from './table-schema';
export * from './job';
export * from './money';
export * from './currency';
export * from './check-message';
