package dev.contrastive.core.loss.reference;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every case of {@link ShardedLossEquivalenceTest} again with the native tile kernel switched off,
 * so the shards of the pure ND4J path (the fallback, and the path on other backends) combine too.
 */
@ExtendWith(NativeTilesOff.class)
class ShardedLossNd4jPathEquivalenceTest extends ShardedLossEquivalenceTest {}
