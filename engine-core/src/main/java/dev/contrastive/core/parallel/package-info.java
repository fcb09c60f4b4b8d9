/**
 * Collective operations among the replicas that train one global batch together ({@link
 * dev.contrastive.core.parallel.Collectives}): all-gather of the maps a loss reads, reduce-scatter
 * of their gradients, all-reduce of parameter gradients, broadcast and barrier, with failures and
 * timeouts reported by replica. {@link dev.contrastive.core.parallel.InProcessGroup} runs them
 * among threads of one process; NCCL runs them among GPU processes (engine-core's cuda jar), which
 * find each other from the launcher's variables ({@link
 * dev.contrastive.core.parallel.ProcessGroupSpec}) and an id file ({@link
 * dev.contrastive.core.parallel.IdFile}), joined by {@link
 * dev.contrastive.core.parallel.ProcessGroups}.
 */
package dev.contrastive.core.parallel;
