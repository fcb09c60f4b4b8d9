"""Writes the NumPy fixtures NpyTest reads. Run once from this directory: python3 make_fixtures.py"""
import numpy as np
from numpy.lib import format as npformat


def grid(shape, dtype, step=0.5, start=-1.0):
    """Element k (C order) is start + k * step, so the Java test can recompute every value."""
    count = int(np.prod(shape))
    return (start + step * np.arange(count, dtype=np.float64)).reshape(shape).astype(dtype)


def save_version(name, array, version):
    with open(name, "wb") as f:
        npformat.write_array(f, array, version=version)


np.save("f4_2x3.npy", grid((2, 3), "<f4"))
np.save("f8_2x3.npy", grid((2, 3), "<f8"))
np.save("f4be_2x3.npy", grid((2, 3), ">f4"))
np.save("f8be_2x3.npy", grid((2, 3), ">f8"))
np.save("f4_scalar.npy", np.float32(-2.25))
np.save("f8_vec5.npy", grid((5,), "<f8"))
np.save("f4_2x3x2x2.npy", grid((2, 3, 2, 2), "<f4", step=0.25, start=-3.0))
np.save("f4_0x3.npy", np.zeros((0, 3), dtype="<f4"))
save_version("f8_v2_2x3.npy", grid((2, 3), "<f8"), (2, 0))
save_version("f4_v3_2x3.npy", grid((2, 3), "<f4"), (3, 0))
np.save("f4_fortran_2x3.npy", np.asfortranarray(grid((2, 3), "<f4")))
np.save("c8_2x2.npy", np.zeros((2, 2), dtype="<c8"))
np.save("structured_2.npy", np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]))
np.save("i4_vec.npy", np.array([-3, 0, 7, 2**31 - 1, -(2**31)], dtype="<i4"))
np.save("i4be_vec.npy", np.array([-3, 0, 7, 2**31 - 1, -(2**31)], dtype=">i4"))
np.save("i8_vec.npy", np.array([-3, 0, 7, 2**31 - 1, -(2**31)], dtype="<i8"))
np.save("i8_too_big.npy", np.array([1, 2**31], dtype="<i8"))
np.save("u1_vec.npy", np.array([0, 1, 255], dtype="|u1"))
np.save("i4_2x2.npy", np.arange(4, dtype="<i4").reshape(2, 2))
