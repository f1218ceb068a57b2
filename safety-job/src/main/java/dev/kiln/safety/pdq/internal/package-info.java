/** The stages of the PDQ computation; not API, may change without notice. */
package dev.kiln.safety.pdq.internal;
