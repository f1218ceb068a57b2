/**
 * Image classifiers for the safety job. {@link dev.kiln.safety.classifier.NsfwClassifier} runs
 * nsfwjs's MobileNetV2, converted to ONNX ({@code models/nsfw-mobilenet-v2}), through DJL and ONNX
 * Runtime, with nsfwjs's own preprocessing.
 */
package dev.kiln.safety.classifier;
