// Pins a Java primitive array for the duration of one native call; shared by the kernels in this
// directory. Header-only, so each library built from them (contrastive_loss, contrastive_layers)
// compiles its own copy.
#ifndef CONTRASTIVE_JNI_PINNED_H_
#define CONTRASTIVE_JNI_PINNED_H_

#include <jni.h>

namespace contrastive {

// Pins Java arrays for the duration of one call (no JNI calls in between).
template <typename T>
class Pinned {
 public:
  Pinned(JNIEnv* env, jarray array)
      : env_(env), array_(array),
        data_(array == nullptr ? nullptr
                               : static_cast<T*>(env->GetPrimitiveArrayCritical(array, nullptr))) {}
  ~Pinned() {
    if (data_ != nullptr) env_->ReleasePrimitiveArrayCritical(array_, data_, 0);
  }
  Pinned(const Pinned&) = delete;
  Pinned& operator=(const Pinned&) = delete;
  T* get() const { return data_; }
  T& operator[](int i) const { return data_[i]; }

 private:
  JNIEnv* env_;
  jarray array_;
  T* data_;
};

}  // namespace contrastive

#endif  // CONTRASTIVE_JNI_PINNED_H_
