// Every workflow the worker serves. Only deterministic orchestration lives in src/workflows.
export { hello } from './hello.js';
