/**
 * One global batch split across replicas and micro-batches ({@link
 * dev.contrastive.models.parallel.DataParallel}): negatives gathered from every replica, gradients
 * routed back to their owners, parameter gradients summed, and micro-batches encoded twice so that
 * a batch larger than the memory of its activations trains in one step (GradCache).
 */
package dev.contrastive.models.parallel;
