/**
 * Internals of the diffusion engine: tokenizer, schedulers, ONNX graph inspection, DJL translators
 * and the model-directory layout. Nothing here is API; callers use {@link dev.kiln.render.engine}.
 */
package dev.kiln.render.engine.internal;
