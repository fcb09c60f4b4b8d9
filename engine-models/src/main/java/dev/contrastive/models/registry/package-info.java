/**
 * The registry of methods ({@link dev.contrastive.models.registry.Methods}): names to providers,
 * and method configs to and from the JSON that checkpoints store. It sits above the method
 * packages, which know nothing of each other or of it.
 */
package dev.contrastive.models.registry;
