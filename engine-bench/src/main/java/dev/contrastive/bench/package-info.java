/** Timings and side-by-side measurements; never a runtime dependency of the engine. */
package dev.contrastive.bench;
