// Node-API surface of NVX. JavaScript binds one kernel at a time: `bind(name)` returns the
// functions with that kernel as their callback data, so a call dispatches with no lookup and
// tests can run every kernel the CPU has side by side.
//
//   kernels                          [{ name, usable }], best first
//   bind(name) -> {
//     mask(source, output, outputOffset, length, key)
//     unmask(buffer, key)
//     isValidUtf8(buffer) -> boolean
//     push(state, chunk[, start, end]) -> boolean
//     unmaskPush(state, buffer, key) -> boolean
//   }
//
// Bytes are Uint8Arrays (Buffers). `state` is the ArrayBuffer of the validator's Float64Array(4)
// (see utf8-stream.h), which the validator keeps, so the lookup is the cheap ArrayBuffer one.
// `key` is the 4-byte mask as a little-endian uint32, already rotated to the phase.
//
// The five entry points are plain Node-API callbacks, not node-addon-api wrappers: at small sizes
// a call is all overhead, and the wrapper's CallbackInfo adds about 12 ns to a 60 ns call here.
// Module setup and `bind` use node-addon-api. Offsets and lengths are checked here, because a
// wrong one would touch memory it must not; friendlier validation happens in TypeScript.
#include <napi.h>

#include <cstdint>

#include "registry.h"
#include "utf8-stream.h"

namespace {

using nvx::Kernel;

constexpr size_t kMaxArgs = 5;

struct Args {
  napi_value argv[kMaxArgs];
  size_t argc = kMaxArgs;
  const Kernel* kernel = nullptr;
};

bool readArgs(napi_env env, napi_callback_info info, Args* a) {
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &a->argc, a->argv, nullptr, &data) != napi_ok) return false;
  a->kernel = static_cast<const Kernel*>(data);
  return true;
}

napi_value fail(napi_env env, const char* message, bool range = false) {
  if (range) napi_throw_range_error(env, nullptr, message);
  else napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

// Any ArrayBufferView's bytes (Buffer, Uint8Array); napi_get_buffer_info is the cheapest lookup.
bool bytesAt(napi_env env, const Args& a, size_t i, uint8_t** data, size_t* length) {
  void* p = nullptr;
  if (i >= a.argc || napi_get_buffer_info(env, a.argv[i], &p, length) != napi_ok) return false;
  *data = static_cast<uint8_t*>(p);
  return true;
}

bool indexAt(napi_env env, const Args& a, size_t i, size_t* out) {
  double d = 0;
  if (i >= a.argc || napi_get_value_double(env, a.argv[i], &d) != napi_ok || !(d >= 0) || d > 9007199254740991.0)
    return false;
  *out = size_t(d);
  return true;
}

bool keyAt(napi_env env, const Args& a, size_t i, uint32_t* out) {
  return i < a.argc && napi_get_value_uint32(env, a.argv[i], out) == napi_ok;
}

bool stateAt(napi_env env, const Args& a, size_t i, nvx::StreamState** out) {
  void* data = nullptr;
  size_t length = 0;
  if (i >= a.argc || napi_get_arraybuffer_info(env, a.argv[i], &data, &length) != napi_ok ||
      length < sizeof(nvx::StreamState) || reinterpret_cast<uintptr_t>(data) % alignof(nvx::StreamState) != 0)
    return false;
  *out = static_cast<nvx::StreamState*>(data);
  return true;
}

napi_value boolean(napi_env env, bool value) {
  napi_value result = nullptr;
  napi_get_boolean(env, value, &result);
  return result;
}

// mask(source, output, outputOffset, length, key)
napi_value Mask(napi_env env, napi_callback_info info) {
  Args a;
  uint8_t *src = nullptr, *dst = nullptr;
  size_t srcLength = 0, dstLength = 0, offset = 0, length = 0;
  uint32_t key = 0;
  if (!readArgs(env, info, &a) || !bytesAt(env, a, 0, &src, &srcLength) || !bytesAt(env, a, 1, &dst, &dstLength))
    return fail(env, "NVX mask: source and output must be Uint8Arrays");
  if (!indexAt(env, a, 2, &offset) || !indexAt(env, a, 3, &length) || !keyAt(env, a, 4, &key))
    return fail(env, "NVX mask: bad offset, length or key", true);
  if (length > srcLength || offset > dstLength || length > dstLength - offset)
    return fail(env, "NVX mask: range is out of bounds", true);
  a.kernel->mask(src, dst + offset, length, key);
  return nullptr;
}

// unmask(buffer, key)
napi_value Unmask(napi_env env, napi_callback_info info) {
  Args a;
  uint8_t* p = nullptr;
  size_t length = 0;
  uint32_t key = 0;
  if (!readArgs(env, info, &a) || !bytesAt(env, a, 0, &p, &length)) return fail(env, "NVX unmask: buffer must be a Uint8Array");
  if (!keyAt(env, a, 1, &key)) return fail(env, "NVX unmask: bad key", true);
  a.kernel->mask(p, p, length, key);
  return nullptr;
}

// isValidUtf8(buffer) -> boolean
napi_value IsValidUtf8(napi_env env, napi_callback_info info) {
  Args a;
  uint8_t* p = nullptr;
  size_t length = 0;
  if (!readArgs(env, info, &a) || !bytesAt(env, a, 0, &p, &length)) return fail(env, "NVX isValidUtf8: expected a Uint8Array");
  return boolean(env, nvx::isValidUtf8(a.kernel, p, length));
}

// push(state, chunk[, start, end]) -> boolean; without start/end, two fewer conversions.
napi_value Push(napi_env env, napi_callback_info info) {
  Args a;
  nvx::StreamState* st = nullptr;
  uint8_t* p = nullptr;
  size_t length = 0;
  if (!readArgs(env, info, &a) || !stateAt(env, a, 0, &st) || !bytesAt(env, a, 1, &p, &length))
    return fail(env, "NVX push: expected (state, Uint8Array)");
  size_t start = 0, end = length;
  if (a.argc > 2) {
    if (!indexAt(env, a, 2, &start) || !indexAt(env, a, 3, &end) || start > end || end > length)
      return fail(env, "NVX push: range is out of bounds", true);
  }
  return boolean(env, nvx::streamPush(a.kernel, st, p + start, end - start));
}

// unmaskPush(state, buffer, key) -> boolean
napi_value UnmaskPush(napi_env env, napi_callback_info info) {
  Args a;
  nvx::StreamState* st = nullptr;
  uint8_t* p = nullptr;
  size_t length = 0;
  uint32_t key = 0;
  if (!readArgs(env, info, &a) || !stateAt(env, a, 0, &st) || !bytesAt(env, a, 1, &p, &length))
    return fail(env, "NVX unmaskPush: expected (state, Uint8Array, key)");
  if (!keyAt(env, a, 2, &key)) return fail(env, "NVX unmaskPush: bad key", true);
  return boolean(env, nvx::streamUnmaskPush(a.kernel, st, p, length, key));
}

Napi::Function rawFunction(Napi::Env env, const char* name, napi_callback cb, const Kernel* k) {
  napi_value fn = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, const_cast<Kernel*>(k), &fn),
                       Napi::Function());
  return Napi::Function(env, fn);
}

Napi::Value Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "NVX: bind(name) needs a kernel name").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  const Kernel* k = nvx::findUsableKernel(name.c_str());
  if (k == nullptr) {
    Napi::Error::New(env, "NVX: kernel '" + name + "' is not available on this CPU").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  Napi::Object fns = Napi::Object::New(env);
  fns.Set("name", Napi::String::New(env, k->name));
  fns.Set("mask", rawFunction(env, "mask", Mask, k));
  fns.Set("unmask", rawFunction(env, "unmask", Unmask, k));
  fns.Set("isValidUtf8", rawFunction(env, "isValidUtf8", IsValidUtf8, k));
  fns.Set("push", rawFunction(env, "push", Push, k));
  fns.Set("unmaskPush", rawFunction(env, "unmaskPush", UnmaskPush, k));
  return fns;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Array kernels = Napi::Array::New(env, nvx::kernelCount());
  for (size_t i = 0; i < nvx::kernelCount(); i++) {
    nvx::KernelEntry e = nvx::kernelAt(i);
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", Napi::String::New(env, e.kernel->name));
    o.Set("usable", Napi::Boolean::New(env, e.usable));
    kernels.Set(uint32_t(i), o);
  }
  exports.Set("kernels", kernels);
  exports.Set("bind", Napi::Function::New(env, Bind, "bind"));
  return exports;
}

}  // namespace

NODE_API_MODULE(nvx, Init)
