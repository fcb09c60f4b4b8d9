package dev.contrastive.models.method;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every method's step shares: the config it was built with, its number of views, and the
 * finite check of each map its forward hands to the loss.
 *
 * @param <C> the method's config record
 */
public abstract class AbstractMethod<C extends MethodConfig> implements Method {

    private final C config;
    private final int views;

    /**
     * @param config the hyper-parameters the method was built with
     * @param views the views each example contributes (see {@link Method#views()})
     */
    protected AbstractMethod(C config, int views) {
        this.config = config;
        this.views = views;
    }

    @Override
    public final C config() {
        return config;
    }

    @Override
    public final int views() {
        return views;
    }

    /**
     * Puts {@code map} into a forward's {@code maps} under {@code key}, once it is known to be
     * finite: checked here rather than left to the loss, whose input validation would name no step.
     *
     * @param output the encoder output a {@link TrainingDivergedException} names
     */
    protected static void putFinite(Map<String, INDArray> maps, long step, String key, String output, INDArray map) {
        StepChecks.requireFiniteOutput(step, output, map);
        maps.put(key, map);
    }

    /**
     * The maps {@code a} and {@code b} of a loss that compares one output per view, each checked and
     * named {@code a_<output>} and {@code b_<output>} when not finite.
     */
    protected static Map<String, INDArray> finitePair(long step, String output, INDArray a, INDArray b) {
        Map<String, INDArray> maps = new LinkedHashMap<>();
        putFinite(maps, step, "a", "a_" + output, a);
        putFinite(maps, step, "b", "b_" + output, b);
        return maps;
    }
}
