package dev.contrastive.models.train;

import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.MethodConfig;
import dev.contrastive.models.nn.Parameters;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link Method} that hands each of its own operations to {@link #delegate()}, for test doubles
 * that change one of them. The operations {@link Method} builds from these (forwardBackward,
 * evaluate) and exportFeatures are not forwarded: they run on the double, so that they see what it
 * changes.
 */
public interface ForwardingMethod extends Method {

    /** The method every operation goes to. */
    Method delegate();

    @Override
    default MethodConfig config() {
        return delegate().config();
    }

    @Override
    default Parameters parameters() {
        return delegate().parameters();
    }

    @Override
    default int views() {
        return delegate().views();
    }

    @Override
    default Map<String, INDArray> forward(long step, INDArray viewA, INDArray viewB, boolean training) {
        return delegate().forward(step, viewA, viewB, training);
    }

    @Override
    default LossResult loss(Map<String, INDArray> maps, Shard shard, long lossSeed) {
        return delegate().loss(maps, shard, lossSeed);
    }

    @Override
    default void backward(Map<String, INDArray> mapGradients) {
        delegate().backward(mapGradients);
    }

    @Override
    default INDArray probeFeatures() {
        return delegate().probeFeatures();
    }

    @Override
    default INDArray features(INDArray images) {
        return delegate().features(images);
    }

    @Override
    default int featureDim() {
        return delegate().featureDim();
    }

    @Override
    default void close() {
        delegate().close();
    }
}
