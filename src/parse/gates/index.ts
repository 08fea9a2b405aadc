export * from './inventory.js';
export * from './transfer.js';
export * from './ray.js';
export * from './libfabric.js';
