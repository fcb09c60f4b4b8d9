/**
 * The contract every contrastive method fulfils ({@link dev.contrastive.models.method.Method}, its
 * {@link dev.contrastive.models.method.MethodConfig} and registry entry {@link
 * dev.contrastive.models.method.MethodProvider}), and what their steps share: the skeleton {@link
 * dev.contrastive.models.method.AbstractMethod} and the step checks. One sub-package per method
 * (amdim, cpc, yadim, simclr); {@code dev.contrastive.models.registry.Methods} lists them.
 */
package dev.contrastive.models.method;
