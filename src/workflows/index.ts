// Every workflow the worker serves. Only deterministic orchestration lives in src/workflows.
export { hello } from './hello.js';
export { pipeline } from './pipeline.js';
export { provisionStage } from './stages/provision.js';
export { buildStage } from './stages/build.js';
export { rayStage } from './stages/ray.js';
export { validateStage } from './stages/validate.js';
export { smokeStage } from './stages/smoke.js';
export { sweep } from './sweep.js';
export { remoteJobTest } from './remote-job-test.js';
