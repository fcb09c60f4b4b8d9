package dev.contrastive.bench;

import ai.djl.ndarray.NDManager;
import dev.contrastive.bench.torch.TorchRuntime;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A PyTorch manager for one test class ({@code @RegisterExtension static}), closed after its tests.
 */
final class TorchManager implements BeforeAllCallback, AfterAllCallback {

    private NDManager manager;

    @Override
    public void beforeAll(ExtensionContext context) {
        manager = TorchRuntime.engine().newBaseManager();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        manager.close();
    }

    NDManager get() {
        return manager;
    }
}
