package dev.kiln.render.engine;

/**
 * What requests must share to run in one batched denoising loop: image size, step count, and
 * whether classifier-free guidance runs. Prompts, negative prompts, guidance scales and seeds may
 * differ within a batch. Obtain with {@link DiffusionEngine#batchKey(GenerationRequest)}.
 */
public record BatchKey(int width, int height, int steps, boolean guided) {}
