/**
 * `npm run test:faults`: the fault suite (docs/RELIABILITY.md). Its own run, not part of `npm test`
 * (.ci/run runs it as a step of its own): the same transform and global setup as the integration
 * project (embedded PostgreSQL, dynalite, local-aws-sqs on loopback), with files named
 * *.fault-spec.ts, which the main config's projects do not match. Run in band: the proxies, the
 * services and the test share one process, and the apps run as child processes anyway.
 */
const path = require('node:path');
const root = require('../../jest.config.js');

const integration = root.projects.find((p) => p.displayName === 'integration');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.resolve(__dirname, '..', '..'),
  reporters: root.reporters,
  testTimeout: 120_000,
  projects: [
    {
      ...integration,
      rootDir: path.resolve(__dirname, '..', '..'),
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
    },
  ],
};
