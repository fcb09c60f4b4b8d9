/**
 * SimCLR (Chen et al., 2020), the common baseline: the AMDIM trunk, a two-layer MLP projection
 * head, and NT-Xent on the fused InfoNCE loss; the probes read the representation before the head.
 * Method config, provider and registry name {@code simclr}; the worked example of adding a method.
 */
package dev.contrastive.models.method.simclr;
