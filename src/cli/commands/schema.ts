import { Argument, type Command } from 'commander';
import { printJson } from '../flags.js';

export function registerSchema(program: Command) {
  program
    .command('schema')
    .description('Print the JSON Schema of cluster or sweep files (for editor completion and checks)')
    .addArgument(new Argument('<kind>', 'which file').choices(['cluster', 'sweep']))
    .addHelpText('after', '\nExamples:\n  pdflow schema cluster > cluster.schema.json\n' +
      '  # then in a YAML file: # yaml-language-server: $schema=./cluster.schema.json\n')
    .action(async (kind: 'cluster' | 'sweep') => {
      const { clusterJsonSchema, sweepJsonSchema } = await import('../../config/index.js');
      printJson(kind === 'cluster' ? clusterJsonSchema() : sweepJsonSchema());
    });
}
