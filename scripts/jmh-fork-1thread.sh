#!/usr/bin/env bash
# JMH fork launcher for TrainBenchmark's one-thread methods (@Fork(jvm = ...)): ND4J's OpenMP pool,
# OpenBLAS and libtorch size themselves from these variables when their libraries load, so they
# must be in the fork's environment; JVM arguments cannot set them.
export OMP_NUM_THREADS=1
export OPENBLAS_NUM_THREADS=1
exec java "$@"
