// Runs nsfwjs itself (MobileNetV2, pure-JS @tensorflow/tfjs CPU backend) on every PNG in an image
// directory and writes the fixture that Kiln's NsfwParityTest compares against.
//
// Images are decoded with pngjs and passed un-resized as int32 [H, W, 3] tensors, so nsfwjs runs
// its own preprocessing: /255, then resizeBilinear(alignCorners = true) to 224x224 unless the
// image is already 224x224.
//
// Usage: node parity.js <image-dir> <fixture.json>
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const nsfwjs = require('nsfwjs');
const { PNG } = require('pngjs');

const CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'];

function versionOf(pkg) {
  let dir = path.dirname(require.resolve(pkg));
  while (!fs.existsSync(path.join(dir, 'package.json')) || require(path.join(dir, 'package.json')).name !== pkg) {
    dir = path.dirname(dir);
  }
  return require(path.join(dir, 'package.json')).version;
}

function readRgb(file) {
  const png = PNG.sync.read(fs.readFileSync(file));
  const rgb = new Int32Array(png.width * png.height * 3);
  for (let p = 0; p < png.width * png.height; p++) {
    if (png.data[p * 4 + 3] !== 255) {
      throw new Error(`${file} has transparent pixels; parity images must be opaque RGB`);
    }
    rgb[p * 3] = png.data[p * 4];
    rgb[p * 3 + 1] = png.data[p * 4 + 1];
    rgb[p * 3 + 2] = png.data[p * 4 + 2];
  }
  return tf.tensor3d(rgb, [png.height, png.width, 3], 'int32');
}

async function main() {
  const [imageDir, fixture] = process.argv.slice(2);
  if (!imageDir || !fixture) {
    throw new Error('usage: node parity.js <image-dir> <fixture.json>');
  }
  await tf.setBackend('cpu');
  const model = await nsfwjs.load('MobileNetV2');
  const files = fs.readdirSync(imageDir).filter((f) => f.endsWith('.png')).sort();
  const images = {};
  let totalMs = 0;
  for (const file of files) {
    const pixels = readRgb(path.join(imageDir, file));
    const start = process.hrtime.bigint();
    const predictions = await model.classify(pixels, CLASSES.length);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    totalMs += ms;
    const byClass = Object.fromEntries(predictions.map((p) => [p.className, p.probability]));
    images[file] = CLASSES.map((c) => byClass[c]);
    console.log(`${file} ${pixels.shape[1]}x${pixels.shape[0]} ${ms.toFixed(0)} ms ${JSON.stringify(images[file])}`);
    pixels.dispose();
  }
  const out = {
    generator: 'models/nsfw-mobilenet-v2/parity/parity.js',
    nsfwjs: versionOf('nsfwjs'),
    tfjs: versionOf('@tensorflow/tfjs'),
    backend: tf.getBackend(),
    model: 'MobileNetV2',
    classes: CLASSES,
    images,
  };
  fs.mkdirSync(path.dirname(fixture), { recursive: true });
  fs.writeFileSync(fixture, JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${files.length} results to ${fixture}; mean ${(totalMs / files.length).toFixed(0)} ms per image`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
