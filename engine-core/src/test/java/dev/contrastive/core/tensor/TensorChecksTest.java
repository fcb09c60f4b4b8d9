package dev.contrastive.core.tensor;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TensorChecksTest {

    private static final INDArray A = Nd4j.zeros(DataType.FLOAT, 4, 3);

    @Test
    void aSecondInputMustHaveTheReferenceShape() {
        assertDoesNotThrow(() -> TensorChecks.requireSameShape("b", Nd4j.ones(DataType.FLOAT, 4, 3), "a", A));
        assertEquals(
                "b has shape [4, 2], expected the shape of a: [4, 3]",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> TensorChecks.requireSameShape("b", Nd4j.zeros(DataType.FLOAT, 4, 2), "a", A))
                        .getMessage());
        assertEquals(
                "b has shape none, expected the shape of a: [4, 3]",
                assertThrows(IllegalArgumentException.class, () -> TensorChecks.requireSameShape("b", null, "a", A))
                        .getMessage());
    }
}
