export * from './local-cluster.ts';
export * from './redis-server.ts';
export * from './temp-dir.ts';
export * from './test-cluster.ts';
export * from './test-host.ts';
export * from './test-prefix.ts';
