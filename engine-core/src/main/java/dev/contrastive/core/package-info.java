/**
 * What holds for the whole engine rather than one part of it: {@link
 * dev.contrastive.core.EngineVersion}, the version that checkpoints record and {@code contrastive
 * --version} prints. The parts live in the sub-packages (losses, kernels, memory, collectives,
 * I/O).
 */
package dev.contrastive.core;
