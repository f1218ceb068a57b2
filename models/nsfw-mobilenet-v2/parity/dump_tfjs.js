// Dumps nsfwjs's MobileNetV2 (a TFJS layers model) for convert.py:
//   <out>/topology.json  the Keras model topology, as shipped in nsfwjs
//   <out>/weights.json   [{name, shape, offset}] in manifest order (offset in float32 elements)
//   <out>/weights.bin    the weights as little-endian float32, dequantised by tfjs itself
//   <out>/reference.json inputs (seeded, NHWC [1,224,224,3] in [0,1]) and nsfwjs's outputs for them
// Usage: node dump_tfjs.js <out-dir>
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const nsfwjs = require('nsfwjs');

const NSFWJS_ROOT = path.resolve(path.dirname(require.resolve('nsfwjs')), '..', '..');
const MODEL_DIR = path.join(NSFWJS_ROOT, 'dist', 'models', 'mobilenet_v2');

// A small seeded generator (mulberry32) so the reference inputs are reproducible.
function mulberry32(seed) {
  return function next() {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main() {
  const out = process.argv[2];
  if (!out) {
    throw new Error('usage: node dump_tfjs.js <out-dir>');
  }
  fs.mkdirSync(out, { recursive: true });
  await tf.setBackend('cpu');

  const modelJson = require(path.join(MODEL_DIR, 'model.min.js'));
  const shard = require(path.join(MODEL_DIR, 'group1-shard1of1.min.js'));
  if (modelJson.weightsManifest.length !== 1 || modelJson.weightsManifest[0].paths.length !== 1) {
    throw new Error('expected one weight group with one shard');
  }
  const specs = modelJson.weightsManifest[0].weights;
  const bytes = new Uint8Array(Buffer.from(shard, 'base64'));
  const named = tf.io.decodeWeights(bytes.buffer, specs);

  const index = [];
  const chunks = [];
  let offset = 0;
  for (const spec of specs) {
    const values = named[spec.name].dataSync();
    index.push({ name: spec.name, shape: spec.shape, offset });
    chunks.push(Buffer.from(new Float32Array(values).buffer));
    offset += values.length;
  }
  fs.writeFileSync(path.join(out, 'topology.json'), JSON.stringify(modelJson.modelTopology));
  fs.writeFileSync(path.join(out, 'weights.json'), JSON.stringify(index));
  fs.writeFileSync(path.join(out, 'weights.bin'), Buffer.concat(chunks));

  const model = await nsfwjs.load('MobileNetV2');
  const rand = mulberry32(20240607);
  const reference = [];
  const inputs = [
    new Float32Array(224 * 224 * 3).map(() => rand()),
    new Float32Array(224 * 224 * 3).map((_, i) => ((i % 3) + 1) / 4 * (0.5 + 0.5 * Math.sin(i / 997))),
    new Float32Array(224 * 224 * 3).fill(0),
  ];
  for (const input of inputs) {
    const logits = tf.tidy(() => model.model.predict(tf.tensor4d(input, [1, 224, 224, 3])));
    reference.push({ input: Array.from(input), output: Array.from(logits.dataSync()) });
    logits.dispose();
  }
  fs.writeFileSync(path.join(out, 'reference.json'), JSON.stringify(reference));
  console.log(`dumped ${specs.length} tensors (${offset} floats) and ${reference.length} reference outputs to ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
