export * from './duration.ts';
export * from './options.ts';
export * from './snapshot.ts';
export * from './summary.ts';
export * from './declarative.ts';
export * from './enrollment.ts';
export * from './agent-protocol.ts';
export * from './run-live.ts';
