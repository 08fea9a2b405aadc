// The SSH layer's public API (activities import from here or from the single modules).
export { quoteArg, buildCommand, isValidEnvName, CommandBuildError, type BuildCommandOptions } from './quote.js';
export { SshPool, connectionKey, type SshPoolOptions, type PoolEvent } from './pool.js';
export { Connection } from './connection.js';
export { execOnNode, execRaw, displayCommand, tailOf, type ExecOptions, type ExecResult } from './exec.js';
export {
  jobIdFor,
  startOrAttachJob,
  pollJob,
  cancelJob,
  jobStatus,
  jobLogTail,
  jobPathsFor,
  runRemoteJob,
  lastJsonLine,
  contextHooks,
  type JobCommand,
  type RemoteJobOptions,
  type RemoteJobResult,
  type RemoteJobContext,
  type RemoteJobHeartbeat,
  type ActivityHooks,
} from './remote-job.js';
export { type JobStatus, type JobState, type JobPaths } from './job-script.js';
export { uploadScripts, readScriptBundle, LOCAL_REMOTE_SCRIPTS, type UploadResult } from './upload.js';
export { resolveWorkdir } from './workdir.js';
export { nodeTargets, nodeTarget, nodeSpecs, resolveNodeSpec, expandWorkerPath, type NodeTarget, type NodeSpec, type JumpHost } from './targets.js';
export { SshErrorType, NON_RETRYABLE_SSH_ERRORS, redact } from './errors.js';
export { fingerprint, parseKnownHosts, judgeHostKey, type HostKeyPolicy } from './host-keys.js';
