/**
 * Prompt adherence of kiln-tiny: a procedural colour and shape classifier, the held-out prompts
 * the model never saw in training, and {@link dev.kiln.render.engine.adherence.AdherenceCheck},
 * which renders them and reports how many images show the prompted colour and shape.
 */
package dev.kiln.render.engine.adherence;
