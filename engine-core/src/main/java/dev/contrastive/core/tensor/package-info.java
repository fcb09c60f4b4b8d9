/**
 * Validation of tensors at public entry points: one clear error naming tensor, shape and
 * expectation.
 */
package dev.contrastive.core.tensor;
