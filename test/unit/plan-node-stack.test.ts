// What provision puts on the nodes, as `pdflow plan` shows it: the pins, the constraints file and
// which model files each kind of node gets (issue 9 items 2 and 5).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseClusterYaml, type ClusterConfig } from '../../src/config/index.js';
import { NODE_CONSTRAINTS_FILE, nodeStackLines, parseConstraints, weightsFor } from '../../src/plan/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const constraints = readFileSync(path.join(root, 'scripts/remote', NODE_CONSTRAINTS_FILE), 'utf8');
function p5(edit: (text: string) => string = (t) => t): ClusterConfig {
  const r = parseClusterYaml(edit(readFileSync(path.join(root, 'examples/cluster-p5.yaml'), 'utf8')), 'cluster-p5.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

describe('node stack', () => {
  it('the constraints file pins the versions vLLM 0.11 runs with', () => {
    const pins = parseConstraints(constraints);
    assert.equal(pins.get('vllm'), '0.11.0');
    assert.match(pins.get('transformers') ?? '', /^4\.57\./);
    assert.ok(Number((pins.get('huggingface-hub') ?? '9').split('.')[0]) < 1);
    assert.equal(pins.get('ray'), '2.51.0');
    assert.equal(pins.get('flashinfer-python'), '0.2.14.post1');
    assert.ok(pins.has('tokenizers') && pins.has('openai'));
    assert.match(constraints, /--uploaded-prior-to 2025-11-01T00:00:00Z/, 'the command that regenerates the file is in it');
  });

  it('plan lines name the constraints, the key versions and the model files per node kind', () => {
    const { lines, warnings } = nodeStackLines(p5(), constraints);
    const text = lines.join('\n');
    assert.match(text, /constraints scripts\/remote\/constraints\/node-stack\.txt \(\d+ pins: transformers==4\.57\.\d+, tokenizers==[\d.]+, huggingface-hub==0\.\d+\.\d+, openai==[\d.]+/);
    assert.match(text, /CPU head gets the tokenizer and config/);
    assert.match(text, /never original\/ or metal\//);
    assert.deepEqual(warnings, []);
  });

  it('a cluster-file pin the constraints contradict is a warning naming both versions', () => {
    const c = p5((t) => t.replace('vllm: { version: 0.11.0', 'vllm: { version: 0.10.2'));
    const { warnings } = nodeStackLines(c, constraints);
    assert.match(warnings.join('\n'), /software pins vllm==0\.10\.2 but .*node-stack\.txt pins vllm==0\.11\.0/);
  });

  it('GPU nodes get the weights, a CPU node the tokenizer', () => {
    assert.equal(weightsFor({ gpus: { count: 8 } }), 'full');
    assert.equal(weightsFor({ gpus: { count: 0 } }), 'tokenizer');
  });
});
