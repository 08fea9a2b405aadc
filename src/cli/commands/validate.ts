import type { Command } from 'commander';
import { BadInputError } from '../errors.js';
import { printJson } from '../flags.js';

export function registerValidate(program: Command) {
  program
    .command('validate')
    .description('Check cluster and sweep files; exit 2 listing every problem with its path, value and fix')
    .argument('<files...>', 'cluster and/or sweep YAML files (told apart by content)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nWith one cluster file among the files, every sweep is also checked against it.\n\n' +
      'Examples:\n  pdflow validate examples/*.yaml\n  pdflow validate my-cluster.yaml my-sweep.yaml --json\n')
    .action(async (files: string[], o: { json?: boolean }) => {
      const [{ validateFiles, problems }, { formatIssue }] = await Promise.all([import('../config-files.js'), import('../../config/index.js')]);
      const reports = await validateFiles(files);
      const issues = reports.flatMap((r) => r.issues);
      const clusters = reports.filter((r) => r.kind === 'cluster').length;
      const sweeps = reports.some((r) => r.kind === 'sweep');
      if (o.json) printJson({ ok: issues.length === 0, files: reports });
      else {
        for (const r of reports) {
          if (r.ok) console.log(`${r.file}: ${r.summary}`);
          for (const issue of r.issues) console.log(formatIssue(issue));
        }
        if (clusters > 1 && sweeps) console.log(`note: ${clusters} cluster files given, so the sweeps were checked without one; give a single cluster file to check them against it`);
      }
      if (issues.length > 0) throw new BadInputError(problems(issues));
    });
}
