package dev.contrastive.models.nn;

import java.util.List;
import java.util.function.BiFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Modules applied in order; backward runs them in reverse. */
public final class Sequential implements Module {

    private final List<Module> modules;

    public Sequential(List<Module> modules) {
        this.modules = List.copyOf(modules);
    }

    public List<Module> modules() {
        return modules;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        return inOrder(x, (m, h) -> m.forward(h, training));
    }

    @Override
    public INDArray backward(INDArray dy) {
        return backwardDownTo(0, dy);
    }

    @Override
    public void backwardToParameters(INDArray dy) {
        modules.get(0).backwardToParameters(backwardDownTo(1, dy));
    }

    @Override
    public String emit(OnnxGraph g, String input) {
        return inOrder(input, (m, h) -> m.emit(g, h));
    }

    /** Applies every module in order to {@code x}: arrays in a forward, ONNX value names in an emit. */
    private <T> T inOrder(T x, BiFunction<Module, T, T> apply) {
        T h = x;
        for (Module m : modules) {
            h = apply.apply(m, h);
        }
        return h;
    }

    /** Back-propagates {@code dy} through the modules from the last down to index {@code first}. */
    private INDArray backwardDownTo(int first, INDArray dy) {
        INDArray g = dy;
        for (int i = modules.size() - 1; i >= first; i--) {
            g = modules.get(i).backward(g);
        }
        return g;
    }
}
