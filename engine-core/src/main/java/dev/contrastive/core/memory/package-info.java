/**
 * The engine's one concept of native scratch memory: {@link
 * dev.contrastive.core.memory.NativeMemory} opens the named workspace scopes that the losses, the
 * training steps and the evaluators run in, hands out uninitialised arrays, and poisons both with
 * NaN in debug runs. {@code docs/memory.md} explains why workspaces and not {@code close()}.
 */
package dev.contrastive.core.memory;
