/**
 * Quality measurements that pick and justify the engine's defaults: the sweep behind the main job's
 * method and settings ({@link dev.contrastive.bench.quality.MainJobSweep}).
 */
package dev.contrastive.bench.quality;
