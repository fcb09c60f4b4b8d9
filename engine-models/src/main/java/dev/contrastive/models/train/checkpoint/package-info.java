/**
 * Training checkpoints: one self-checking binary file per save, written atomically.
 *
 * <p>A {@link dev.contrastive.models.train.checkpoint.Checkpoint} is plain data (float32 tensors,
 * named long counters, an opaque JSON config and string metadata), independent of ND4J and of any
 * model, so the trainer decides what goes in and this package only guarantees that what is read
 * back is bit-for-bit what was written, or a {@link
 * dev.contrastive.models.train.checkpoint.CheckpointFormatException} saying why not.
 *
 * <p>File layout (format version 1, all integers little-endian):
 *
 * <pre>
 * offset      size  field
 * 0           8     magic 0x89 'C' 'K' 'P' 'T' '\r' '\n' 0x1A
 * 8           4     format version (u32) = 1
 * 12          4     header length H in bytes (u32)
 * 16          8     data length D in bytes (u64)
 * 24          4     CRC32C of bytes [0, 24)
 * 28          H     header: UTF-8 JSON {step, epoch, positionInEpoch, config, state,
 *                   metadata, tensors: [{name, shape}, ...]}
 * 28+H        D     tensor data: float32 values of each tensor in header order, row-major
 * 28+H+D      4     CRC32C of bytes [0, 28+H+D)
 * </pre>
 *
 * <p>The prefix has its own CRC so that a damaged length field is reported as corruption rather
 * than as a misleading truncation; the trailing CRC covers everything. Future versions must keep
 * the 28-byte prefix layout so that any reader can tell them apart from damage.
 */
package dev.contrastive.models.train.checkpoint;
