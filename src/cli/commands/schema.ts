import { Argument, type Command } from 'commander';
import { clusterJsonSchema, sweepJsonSchema } from '../../config/index.js';
import { printJson } from '../flags.js';

export function registerSchema(program: Command) {
  program
    .command('schema')
    .description('Print the JSON Schema of cluster or sweep files (for editor completion and checks)')
    .addArgument(new Argument('<kind>', 'which file').choices(['cluster', 'sweep']))
    .addHelpText('after', '\nExamples:\n  pdflow schema cluster > cluster.schema.json\n' +
      '  # then in a YAML file: # yaml-language-server: $schema=./cluster.schema.json\n')
    .action((kind: 'cluster' | 'sweep') => {
      printJson(kind === 'cluster' ? clusterJsonSchema() : sweepJsonSchema());
    });
}
