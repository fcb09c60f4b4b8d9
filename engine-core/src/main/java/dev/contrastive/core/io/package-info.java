/**
 * File formats shared with other tools, so results can be cross-checked outside the JVM, and the
 * one way the engine writes its outputs.
 *
 * <p>{@link dev.contrastive.core.io.Npy} reads and writes NumPy {@code .npy} files; malformed files
 * fail with a {@link dev.contrastive.core.io.NpyFormatException} that names the file, the offending
 * field or byte offset, and what was expected.
 *
 * <p>{@link dev.contrastive.core.io.AtomicFiles} writes a file (or replaces a directory) so that it
 * is at every moment the old content or the complete new one; a failure is a {@link
 * dev.contrastive.core.io.WriteFailedException} naming the target and the cause.
 * <p>{@link dev.contrastive.core.io.Closeables} closes several resources (the files of a dataset,
 * the listeners of a run) in order, as try-with-resources would.
 */
package dev.contrastive.core.io;
