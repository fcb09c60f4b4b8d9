package dev.contrastive.core.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A loss called inside the caller's per-step workspace reuses native memory from step to step. */
class LossWorkspaceTest {

    static final WorkspaceConfiguration STEP = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    /**
     * The gradients are attached to the caller's workspace on every step. That steps then reuse its
     * memory instead of growing it is {@code LossMemoryIT}'s check: resident memory is only a fair
     * measure with a pre-touched fixed heap, which the unit tests do not have (here the heap's own
     * growth between collections moved the resident set by about 1 MiB a step).
     */
    @Test
    void gradientsLandInTheCallersWorkspace() {
        INDArray a = Nd4j.randn(DataType.FLOAT, 256, 32);
        INDArray b = Nd4j.randn(DataType.FLOAT, 256, 32);
        InfoNceLoss loss = new InfoNceLoss(InfoNceOptions.defaults());
        for (int step = 0; step < 3; step++) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP, "step")) {
                LossResult r = loss.compute(a, b);
                INDArray g = r.gradient("a");
                assertTrue(g.isAttached(), "gradient should live in the caller's workspace");
                assertEquals("step", g.data().getParentWorkspace().getId());
                assertTrue(Double.isFinite(g.sumNumber().doubleValue()));
            }
        }
    }

    @Test
    void outsideAnyWorkspaceGradientsAreDetached() {
        try (LossResult r = new InfoNceLoss(InfoNceOptions.defaults())
                .compute(Nd4j.randn(DataType.FLOAT, 8, 4), Nd4j.randn(DataType.FLOAT, 8, 4))) {
            assertFalse(r.gradient("a").isAttached());
        }
    }
}
