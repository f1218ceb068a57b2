/**
 * Kiln's text-to-image diffusion engine: a diffusers ONNX model directory (Stable Diffusion 1.5,
 * 2.1, SD-Turbo or the shipped kiln-tiny) run through DJL's ONNX Runtime engine, with batched
 * classifier-free guidance, per-image seeds and deterministic PNG output.
 *
 * <p>Entry point: {@link dev.kiln.render.engine.DiffusionEngine}. Everything under
 * {@code dev.kiln.render.engine.internal} is implementation.
 */
package dev.kiln.render.engine;
