/**
 * The contrastive losses on ND4J with the whole score matrix held and the backward pass written by
 * hand: what a user would write without the fused kernels, and the memory the fused kernels avoid.
 */
package dev.contrastive.bench.materialized;
