/**
 * File formats shared with other tools, so results can be cross-checked outside the JVM.
 *
 * <p>{@link dev.contrastive.core.io.Npy} reads and writes NumPy {@code .npy} files; malformed files
 * fail with a {@link dev.contrastive.core.io.NpyFormatException} that names the file, the offending
 * field or byte offset, and what was expected.
 */
package dev.contrastive.core.io;
