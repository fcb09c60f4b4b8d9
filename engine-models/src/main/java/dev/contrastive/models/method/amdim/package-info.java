/**
 * AMDIM (Bachman et al., 2019): the AMDIM encoder's r1, r5 and r7 maps of both views scored against
 * each other by the fused AMDIM loss (1-5, 1-7 and 5-5 pairs, soft-clipped scores), with its method
 * config, provider and registry name {@code amdim}; and the two-view skeleton on the AMDIM encoder
 * that YADIM shares ({@link dev.contrastive.models.method.amdim.AmdimEncoderMethod}, built from an
 * {@link dev.contrastive.models.method.amdim.AmdimEncoderConfig}).
 */
package dev.contrastive.models.method.amdim;
