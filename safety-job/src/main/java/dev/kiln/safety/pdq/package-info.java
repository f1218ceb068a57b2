/**
 * PDQ perceptual image hashing and matching against lists of known hashes.
 *
 * <p>PDQ is the 256-bit perceptual hash Meta published in ThreatExchange (BSD licence); this
 * package is an independent implementation of that published algorithm. {@link
 * dev.kiln.safety.pdq.PdqHasher} hashes an image, {@link dev.kiln.safety.pdq.PdqHash} is the hash
 * and its distance, and {@link dev.kiln.safety.pdq.HashBlockList} finds the nearest listed hash.
 */
package dev.kiln.safety.pdq;
