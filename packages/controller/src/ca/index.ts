export * from './errors.ts';
export * from './certificate-authority.ts';
export * from './tokens.ts';
