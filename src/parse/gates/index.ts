export * from './inventory.js';
export * from './transfer.js';
export * from './libfabric.js';
