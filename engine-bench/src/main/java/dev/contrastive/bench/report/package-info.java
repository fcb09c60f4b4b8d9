/**
 * Turns JMH's JSON results into {@code bench-results/*-latest.md}: per shape the time of each
 * method and the ratios that say where the fused losses stand.
 */
package dev.contrastive.bench.report;
