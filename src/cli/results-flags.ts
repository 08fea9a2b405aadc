// The flags of `pdflow results` that its help names, and where its output goes: no analysis loaded.
export const RESULT_FORMATS = ['table', 'csv', 'json'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];
/** What --out writes: pdflow's report folder, or the seed's folders of raw vllm bench JSON. */
export const RESULT_LAYOUTS = ['report', 'seed'] as const;
export type ResultLayout = (typeof RESULT_LAYOUTS)[number];

/** Where results go; tests hand in their own. */
export interface ResultsIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const STDIO: ResultsIo = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };

export interface ResultsOutputFlags {
  out?: string;
  format: ResultFormat;
  /** Default "report". */
  layout?: ResultLayout;
}

export interface ResultsCliOptions {
  import?: string[];
  out?: string;
  format: string;
  layout: string;
  deployment?: string;
  sla: string[];
  tolerance?: string;
  title?: string;
  gpu?: string;
  gpusPerNode?: string;
  versions?: string;
  store?: string;
}
