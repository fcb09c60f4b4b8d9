package dev.contrastive.bench.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.models.train.optim.AdamOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.Adam} (amsgrad off, L2 weight decay added to the gradient, the single-tensor
 * path torch takes for CPU tensors) over a {@link TorchParameters}, written with the same in-place
 * tensor ops as torch's {@code _single_tensor_adam}. Gradients are zeroed after each update, as
 * {@code optimizer.zero_grad()} would before the next backward. Decoupled decay and clipping are
 * not needed by the benchmarks and are refused.
 */
public final class TorchAdam {

    private final AdamOptions options;
    private final List<NDArray> params = new ArrayList<>();
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private long step;

    /** Moments are allocated in {@code manager}, zero. */
    public TorchAdam(AdamOptions options, TorchParameters parameters, NDManager manager) {
        if (options.decoupled() || options.maxGradNorm() > 0) {
            throw new IllegalArgumentException("torch adam: decoupled weight decay and clipping are not implemented");
        }
        this.options = options;
        for (Map.Entry<String, NDArray> e : parameters.trainable().entrySet()) {
            params.add(e.getValue());
            m.add(manager.zeros(e.getValue().getShape(), e.getValue().getDataType()));
            v.add(manager.zeros(e.getValue().getShape(), e.getValue().getDataType()));
        }
    }

    /**
     * One update from the gradients autograd left on the parameters; temporaries go to {@code scope}.
     */
    public void step(double lr, NDManager scope) {
        step++;
        double b1 = options.beta1();
        double b2 = options.beta2();
        double bias1 = 1 - Math.pow(b1, step);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(b2, step));
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            NDArray grad = p.getGradient();
            grad.attach(scope);
            NDArray g = options.weightDecay() > 0 ? grad.add(p.mul(options.weightDecay())) : grad;
            m.get(i).muli(b1).addi(g.mul(1 - b1));
            v.get(i).muli(b2).addi(g.mul(g).muli(1 - b2));
            NDArray denom = v.get(i).sqrt().divi(bias2Sqrt).addi(options.eps());
            p.subi(m.get(i).div(denom).muli(lr / bias1));
            grad.muli(0);
        }
    }

    /** Moment arrays, for attaching them to a step's scope. */
    List<NDArray> state() {
        List<NDArray> s = new ArrayList<>(m);
        s.addAll(v);
        return s;
    }
}
