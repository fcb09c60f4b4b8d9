// One Adam / AdamW update of a range of a flat float32 parameter array in a single sweep: the
// gradient scaled (clipping) plus coupled weight decay, both moments, the bias-corrected step. The
// ND4J form of the same update is a dozen whole-array ops, each a pass over parameters, gradients
// or moments (20 M parameters of the published CIFAR encoder: 80 MB per array).
#include <jni.h>

#include <cmath>
#include <cstdint>

#include "dev_contrastive_core_layers_NativeAdam.h"

extern "C" {

JNIEXPORT void JNICALL Java_dev_contrastive_core_layers_NativeAdam_stepRange(
    JNIEnv*, jclass, jlong p_addr, jlong g_addr, jlong m_addr, jlong v_addr, jlong begin, jlong end,
    jfloat grad_scale, jfloat coupled_decay, jfloat decoupled_factor, jfloat beta1,
    jfloat one_minus_b1, jfloat beta2, jfloat one_minus_b2, jfloat bias2_sqrt, jfloat eps,
    jfloat step_size) {
  float* p = reinterpret_cast<float*>(p_addr);
  const float* g = reinterpret_cast<const float*>(g_addr);
  float* m = reinterpret_cast<float*>(m_addr);
  float* v = reinterpret_cast<float*>(v_addr);
  // The order of operations of torch.optim.Adam / AdamW and of the ND4J path: decay, moments,
  // param -= step_size * m / (sqrt(v) / sqrt(bias2) + eps).
  for (int64_t i = begin; i < end; ++i) {
    const float d = g[i] * grad_scale + coupled_decay * p[i];
    const float mi = beta1 * m[i] + one_minus_b1 * d;
    const float vi = beta2 * v[i] + one_minus_b2 * (d * d);
    m[i] = mi;
    v[i] = vi;
    const float denom = std::sqrt(vi) / bias2_sqrt + eps;
    p[i] = p[i] * decoupled_factor - step_size * (mi / denom);
  }
}

}  // extern "C"
