/**
 * YADIM (Falcon and Cho, 2020; PatchedDIM in their talk): AMDIM's encoder on the union of AMDIM's
 * and CPC's augmentations, with NCE between the two views' last maps only; method config, provider
 * and registry name {@code yadim}.
 */
package dev.contrastive.models.method.yadim;
