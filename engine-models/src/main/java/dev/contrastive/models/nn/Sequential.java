package dev.contrastive.models.nn;

import java.util.List;
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
        INDArray h = x;
        for (Module m : modules) {
            h = m.forward(h, training);
        }
        return h;
    }

    @Override
    public INDArray backward(INDArray dy) {
        INDArray g = dy;
        for (int i = modules.size() - 1; i >= 0; i--) {
            g = modules.get(i).backward(g);
        }
        return g;
    }

    @Override
    public void backwardToParameters(INDArray dy) {
        INDArray g = dy;
        for (int i = modules.size() - 1; i > 0; i--) {
            g = modules.get(i).backward(g);
        }
        modules.get(0).backwardToParameters(g);
    }

    @Override
    public String emit(OnnxGraph g, String input) {
        String h = input;
        for (Module m : modules) {
            h = m.emit(g, h);
        }
        return h;
    }
}
